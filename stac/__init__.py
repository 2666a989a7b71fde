"""Publishing (installed as ``tpqc.stac``): the facts validation gathered and the spec in, a
static STAC catalog out. :mod:`.items` turns each publishable file into an item with the
builder its kind names; :mod:`.build` and :mod:`.layout` make the collection and catalog;
:mod:`.write` writes them deterministically and atomically; :mod:`.validate`,
:mod:`.checks`, :mod:`.tree` and :mod:`.schema_store` check any STAC document offline."""
