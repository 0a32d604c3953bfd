"""The split step written once: the order of its operations, its random numbers, its checks.

A split-step backend (the default backend's compiled kernels, a GPU backend's vectorised step)
translates this plan into its language; it never decides the order of the scheme, which noises a
step draws, how the coarse path reuses them, or what counts as a diverged trajectory. The physics
of each operation is in :mod:`cqplug.system.compiled` (the constant propagators, the records' law, the measurement and
coupling operators); the step-error statistics that the backends return are merged in core
(:mod:`cqplug.results.statistics`).

**One saved interval** (``steps_per_save`` fine steps of dt, half as many coarse steps of 2 dt)::

    fine path:    A(dt/2)  [B(dt) A(dt)] ... [B(dt) A(dt/2)]
    coarse path:  A(dt)    [B(2dt) A(2dt)] ... [B(2dt) A(dt)]

so the A of consecutive Strang steps A(tau/2) B(tau) A(tau/2) are merged, and both paths reach the
saved time together (:data:`SCHEDULE`). A is the constant part (the classical flow with friction,
then the constant quantum channel: ``CompiledSystem.constant_channel``); B the z-dependent part.

**B**: for commuting couplings, in the common eigenbasis,
``record`` (the measurement record dY from its exact law), ``kick`` (z += sigma dY + F_res <L> tau,
the midpoint kept), ``phase`` (the coupling phase at the midpoint, plus for kets the random phases
of the excess dephasing), ``update`` (the diagonal measurement operator and the phases applied,
normalised). For non-commuting couplings a palindrome (:attr:`StepPlan.palindrome`): the first
half's measurements of each C_j (and, for kets, the random phases of each J_r) over tau/2, its
kick, the coupling unitary at the midpoint z, then the second half in reverse order and its kick.

**Random numbers per fine step** (:class:`Draws`), drawn step-major: the Brownian increments dW_j ~
N(0, dt); for the palindrome a standard normal per increment that splits it at its Brownian-bridge
midpoint (halves dW/2 +- sqrt(dt) xi / 2); uniforms for branch sampling of the records; for kets
the excess-dephasing increments and their splits; the uniform that picks a Kraus operator. The
coarse step after fine steps 1 and 2 uses the sums of their increments, their two increments as
its halves, the uniforms of step 1 for its records and the Kraus uniform of step 2; an
interval's first A draws one Kraus uniform for both paths.
"""

from __future__ import annotations

from dataclasses import dataclass

HALF, FINE, COARSE = "half", "fine", "coarse"
DURATIONS = (HALF, FINE, COARSE)  # tau = dt/2, dt, 2 dt: the index of per-duration constants


@dataclass(frozen=True)
class PathSchedule:
    """The durations of one path's operations within a saved interval."""

    start: str  # its first A
    coupled: str  # each B
    after: str  # the A after each B
    after_last: str  # the A after the interval's last B


SCHEDULE = {
    "fine": PathSchedule(start=HALF, coupled=FINE, after=FINE, after_last=HALF),
    "coarse": PathSchedule(start=FINE, coupled=COARSE, after=COARSE, after_last=FINE),
}

DIVERGENCE_BOUND = 1e100  # |z_i| beyond this, or not finite: a runaway classical trajectory
NORM_TOLERANCE = 1e-6  # |Tr rho - 1| (|psi|^2 - 1) beyond this: a quantum state that lost its norm


@dataclass(frozen=True)
class Draws:
    """What one fine step draws, in this order, per trajectory."""

    increments: int  # dW_j, N(0, dt): one per noise
    bridge_splits: int  # standard normals splitting each dW_j at its midpoint (palindrome)
    uniforms: int  # for branch sampling of the records
    phase_increments: int  # kets: the excess-dephasing increments w_r, N(0, dt)
    phase_splits: int  # kets, palindrome: standard normals splitting each w_r
    kraus: int  # kets with quantum Lindblad channels: the uniform that picks a Kraus operator


@dataclass(frozen=True)
class StepPlan:
    """The plan of one compiled system's split step (see the module docstring)."""

    commuting: bool
    palindrome: tuple  # non-commuting couplings: the first half's ("measure", j) / ("dephase", r), in order
    draws: Draws
    constant_channel: str  # how A applies the quantum part ("superoperator", "split", "unitary", "kraus")

    def after(self, path: str, last: bool) -> str:
        """The duration of the A that follows a B on ``path`` ("fine"/"coarse")."""
        schedule = SCHEDULE[path]
        return schedule.after_last if last else schedule.after


def step_plan(system) -> StepPlan:
    """The plan of ``system`` (a :class:`~cqplug.system.compiled.CompiledSystem`)."""
    ket = system.state == "ket"
    m, r = system.n_noise, system.n_dephasing if ket else 0  # densities dephase inside the constant channel
    branch = system.sampling == "branch" and m > 0
    commuting = system.commuting
    palindrome = () if commuting else tuple([("measure", j) for j in range(m)] + [("dephase", k) for k in range(r)])
    draws = Draws(increments=m, bridge_splits=0 if commuting else m,
                  uniforms=((1 if commuting else 2 * m) if branch else 0), phase_increments=r,
                  phase_splits=0 if commuting else r, kraus=1 if system.constant_channel == "kraus" else 0)
    return StepPlan(commuting=commuting, palindrome=palindrome, draws=draws,
                    constant_channel=system.constant_channel)
