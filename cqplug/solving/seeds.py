"""The seed-stream namespace: every random number of a run comes from its master seed through one
of these streams (NumPy ``SeedSequence(seed, spawn_key=(stream, index))``), so a result depends on the
seed alone, never on how work is split or where it runs.

==========  =====  ======================================================================
stream      key    used for
==========  =====  ======================================================================
BLOCKS      0      block k of ``BLOCK_SIZE`` trajectories of an ensemble: (0, k)
PILOT       1      the short pilot run that sets histogram ranges: (1,)
SCAN        2      point i of a parameter scan gets the master seed of (2, i)
LEVELS      3      level l of the multilevel estimator gets the master seed of (3, l)
==========  =====  ======================================================================

A new stream takes the next key; an existing key never changes meaning (saved seeds would
reproduce different numbers).
"""

from __future__ import annotations

import numpy as np

BLOCKS, PILOT, SCAN, LEVELS = 0, 1, 2, 3


def block_seed(seed: int, block: int) -> np.random.SeedSequence:
    """The SeedSequence of trajectory block ``block``."""
    return np.random.SeedSequence(seed, spawn_key=(BLOCKS, block))


def pilot_seed(seed: int) -> np.random.SeedSequence:
    """The SeedSequence of the pilot run."""
    return np.random.SeedSequence(seed, spawn_key=(PILOT,))


def child_seed(seed: int, stream: int, index: int) -> int:
    """A master seed (a non-negative 63-bit integer, recorded in the child's result) for item
    ``index`` of ``stream`` (SCAN or LEVELS)."""
    state = np.random.SeedSequence(seed, spawn_key=(stream, index)).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))
