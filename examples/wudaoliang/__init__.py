"""The Wudaoliang active-layer-thickness example: a spec and a synthetic 4-year series."""
