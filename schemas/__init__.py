"""Declarations: what a dataset must look like (spec schema, report schema, loaders)."""
