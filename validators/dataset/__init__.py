"""Checks across the files of a dataset, over the summaries each kind gives of its files:
series members and the members a coverage implies (:mod:`.members`, :mod:`.temporal`),
series rules (:mod:`.series`, :mod:`.rows`), time axes inside files (:mod:`.time_axis`),
metadata against the data (:mod:`.metadata`, :mod:`.doi_online`); :mod:`.judge` runs them."""
