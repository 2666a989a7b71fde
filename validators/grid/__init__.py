"""What every gridded file is, whatever its format: grid facts (:mod:`.facts`), the raster
checks R001-R018 (:mod:`.checks`), geodesy (:mod:`.geo`), exact streaming statistics
(:mod:`.statistics`), quicklooks (:mod:`.quicklook`), the report entry, summary, picture and
publishability of a grid (:mod:`.report`), and the base of gridded kinds (:mod:`.kind`)."""
