"""The compiled system's classical pieces evaluated with NumPy, one phase-space point at a time.

The kernels print these functions into their own languages; the choice of time step
(:mod:`cqplug.system.step_size`), the hybrid filter (:mod:`cqplug.filtering`) and the records' step grid
(:mod:`cqplug.system.records`) need them as
plain functions of z (the 2n phase-space variables q_1..q_n, p_1..p_n along the last axis of an array
of any shape):

    flow(z, tau)      the classical part of A over tau (may be negative): z(t + tau) from z(t), exactly
                      for an H_C at most quadratic (the linear flow), else one Heun step as the kernels take
    couplings(z)      h_a(z), one value per coupling
    observables(z)    f_k(z), the classical factor of each observable
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import sympy as sp

from .phase_space import PhaseSpaceFunction, parameter_symbol, z_symbol


class ClassicalFunctions:
    """NumPy versions of a :class:`~cqplug.system.compiled.CompiledSystem`'s phase-space functions."""

    def __init__(self, system):
        self.system = system
        self._propagators = {}

    def numeric(self, function: PhaseSpaceFunction):
        """z (..., 2n) -> outputs (..., k), from the linear form when the function has one, else lambdified."""
        if function.linear is not None:
            matrix, offset = function.linear
            return lambda z: _product(matrix, z) + offset
        values = {parameter_symbol(j): v for j, v in enumerate(self.system.parameters)}
        symbols = [z_symbol(i) for i in range(self.system.n_z)]
        outputs = [sp.sympify(x).xreplace(values) for x in function.outputs]
        compiled = sp.lambdify([symbols], outputs, modules="numpy")

        def evaluate(z):
            z = np.asarray(z, dtype=float)
            columns = compiled(np.moveaxis(z, -1, 0))
            return np.stack([np.broadcast_to(np.asarray(c, dtype=float), z.shape[:-1]) for c in columns], axis=-1) \
                if columns else np.zeros(z.shape[:-1] + (0,))

        return evaluate

    @cached_property
    def couplings(self):
        return self.numeric(self.system.couplings)

    @cached_property
    def observables(self):
        return self.numeric(self.system.observables)

    @cached_property
    def _hamilton(self):
        return self.numeric(self.system.hamilton)

    def flow(self, z: np.ndarray, tau: float) -> np.ndarray:
        """z after the classical flow over ``tau``: exact for a linear flow, else Heun (the kernels' step)."""
        if self.system.linear_flow is not None:
            if tau not in self._propagators:  # sparse: a bath of n modes is n small blocks
                self._propagators[tau] = self.system.linear_flow.sparse_propagator(tau)
            Phi, phi = self._propagators[tau]
            return _product(Phi, z) + phi
        f1 = self._hamilton(z)
        return z + 0.5 * tau * (f1 + self._hamilton(z + tau * f1))


def _product(matrix, z) -> np.ndarray:
    """matrix @ each z along the last axis (matrix dense or SciPy sparse, z of any shape (..., columns))."""
    z = np.asarray(z, dtype=float)
    flat = z.reshape(-1, z.shape[-1])
    return np.asarray(matrix @ flat.T).T.reshape(*z.shape[:-1], matrix.shape[0])
