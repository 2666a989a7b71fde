"""The engine's machinery, independent of checks and file kinds: list a data root without
surprises (:mod:`.listing`), read planned files once each in parallel or on a cluster
(:mod:`.parallel`, :mod:`.cluster`, :mod:`.facts`), keep their facts (:mod:`.facts_cache`,
:mod:`.facts_codec`), hash them (:mod:`.checksum`), reach remote roots (:mod:`.remote`), and
write outputs atomically (:mod:`.atomic`, :mod:`.json_values`) where the output guard allows
(:mod:`.outputs`)."""
