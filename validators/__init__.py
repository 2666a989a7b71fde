"""The engine of tpqc: facts about files in, findings out."""
