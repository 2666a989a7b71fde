"""Publishing: facts and spec in, a static STAC catalog out (installed as ``tpqc.stac``)."""
