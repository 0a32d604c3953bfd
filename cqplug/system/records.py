"""Classical records on the uniform step grid, from what a split-step kernel holds.

A Strang step is A(dt/2) B(dt) A(dt/2); the kernels merge the A of consecutive steps
(:mod:`cqplug.system.step_plan`), so after fine step k they hold z after B and a whole A(dt), except
at the end of a saved interval, where the A lasts dt/2. The point of the uniform grid t_k = k dt is z
after B and A(dt/2): the flow is run back by the part of A that belongs to the next step
(exactly for an H_C at most quadratic; a Heun step backwards otherwise, which differs from the
kernels' own by O(dt^3)).
"""

from __future__ import annotations

import numpy as np

from .evaluate import ClassicalFunctions
from .step_plan import SCHEDULE

_FRACTION = {"half": 0.5, "fine": 1.0, "coarse": 2.0}  # each duration in units of dt


def step_grid(system, raw: np.ndarray) -> tuple:
    """(times (steps + 1,), z (paths, steps + 1, 2n)) from a runner's records ``raw`` (paths, steps + 1, 2n):
    the initial point, then z after every fine step as the kernel holds it."""
    raw = np.asarray(raw, dtype=float)
    steps = raw.shape[1] - 1
    dt = system.dt
    fine = SCHEDULE["fine"]
    excess = {False: (_FRACTION[fine.after] - 0.5) * dt, True: (_FRACTION[fine.after_last] - 0.5) * dt}
    flow = ClassicalFunctions(system)
    z = raw.copy()
    ends = np.arange(1, steps + 1) % system.steps_per_save == 0  # the steps that end a saved interval
    for last in (False, True):
        chosen = 1 + np.flatnonzero(ends == last)
        if excess[last] and len(chosen):
            z[:, chosen] = flow.flow(raw[:, chosen], -excess[last])
    return system.times[0] + dt * np.arange(steps + 1), z
