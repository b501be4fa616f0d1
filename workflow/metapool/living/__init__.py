"""Living-review analyses of one meta-analysis: how the evidence moved (cumulative), whether it hangs
on one trial (leave-one-out, influence), small-study effects (Egger, Harbord, trim-and-fill), what it
means per 1,000 patients (absolute effects) and whether it is conclusive yet (trial sequential analysis).

``run_living`` (living.run) is the single entry point; ``living_to_tsv`` renders its result for people.
"""

from metapool.living.run import BLOCKS as _BLOCK_TABLE
from metapool.living.run import K_MIN_SMALL_STUDY, run_living
from metapool.living.tsv import living_to_tsv

BLOCKS = tuple(name for name, _, _ in _BLOCK_TABLE)

__all__ = ["run_living", "living_to_tsv", "BLOCKS", "K_MIN_SMALL_STUDY"]
