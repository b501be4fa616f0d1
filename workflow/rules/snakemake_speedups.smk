# Two of Snakemake's own costs that grow with the number of analyses, removed before it reads the
# config. Each leaves Snakemake's behaviour unchanged; see README "Performance" for the profiles.

from functools import lru_cache

import yaml
from snakemake.persistence import file as snakemake_persistence

# Snakemake reads the config through yte, which parses with PyYAML's pure-Python FullLoader
# (2 s for 1,000 analyses); libyaml's CFullLoader builds the same objects about 9x faster.
yaml.FullLoader = getattr(yaml, "CFullLoader", yaml.FullLoader)

# Snakemake keeps one metadata record per output file and reads them through an lru_cache of
# 128 entries: with 13,000 outputs it thrashes, and each record is read from disk about six
# times per run (90,000 reads, 4 of the 10 s of a no-op run at 1,000 analyses). Unbounded, each
# is read once; Snakemake clears the cache itself whenever records change.
_records = getattr(snakemake_persistence.FilePersistence, "_read_record_cached", None)
if hasattr(_records, "__wrapped__") and hasattr(_records, "cache_clear"):
    snakemake_persistence.FilePersistence._read_record_cached = lru_cache(maxsize=None)(
        _records.__wrapped__
    )
