"""Bundled example datasets (installed as ``tpqc.examples``)."""
