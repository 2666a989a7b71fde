"""Declarations (installed as ``tpqc.schemas``): what a dataset must look like. The spec
model and its JSON Schema (:mod:`.spec_model`, :mod:`.spec`, :mod:`.sections`), its small
grammars (:mod:`.spec_values`, :mod:`.patterns`), units, variables and identifiers, the
report's schema. Imports nothing from the other folders."""
