"""The numbers a generated kernel reads: one flat float64 vector, named entries, zeros left out.

Generated code never contains a parameter value: it reads ``k[index]`` into local variables once
per block, so one compiled kernel serves every parameter set with the same structure (a scan
compiles once). What the structure is — which matrix entries are non-zero — is part of the code:
terms with a zero coefficient are not written at all. An entry counts as zero below ``ZERO``
times the largest entry of its matrix (round-off of exact zeros, e.g. from ``expm``).
"""

from __future__ import annotations

import numpy as np

ZERO = 1e-14


class Constants:
    """Collects named scalars and matrices into one vector; returns the names the code uses."""

    def __init__(self):
        self.values: list = []
        self.loads: list = []  # "name = k[i]" lines
        self._names: dict = {}

    def scalar(self, name: str, value: float) -> str:
        if name in self._names:
            return name
        self._names[name] = len(self.values)
        self.loads.append(f"{name} = k[{len(self.values)}]")
        self.values.append(float(value))
        return name

    def matrix(self, name: str, values) -> dict:
        """{index tuple: variable name} for the non-zero entries of a real array."""
        values = np.asarray(values, dtype=float)
        scale = np.abs(values).max(initial=0.0)
        out = {}
        for index in np.ndindex(values.shape):
            if abs(values[index]) > ZERO * scale:
                out[index] = self.scalar(f"{name}_{'_'.join(map(str, index))}", values[index])
        return out

    def complex_matrix(self, name: str, values) -> dict:
        """{index: (real name or None, imaginary name or None)} for the non-zero complex entries."""
        values = np.asarray(values, dtype=complex)
        scale = np.abs(values).max(initial=0.0)
        out = {}
        for index in np.ndindex(values.shape):
            v = values[index]
            if abs(v) > ZERO * scale:
                suffix = "_".join(map(str, index))
                re = self.scalar(f"{name}r_{suffix}", v.real) if abs(v.real) > ZERO * scale else None
                im = self.scalar(f"{name}i_{suffix}", v.imag) if abs(v.imag) > ZERO * scale else None
                out[index] = (re, im)
        return out

    def array(self, name: str, values) -> str:
        """A whole real array: the code views it as ``name = k[a:b].reshape(shape)``."""
        values = np.asarray(values, dtype=float)
        if name in self._names:
            return name
        start = len(self.values)
        self._names[name] = start
        self.values.extend(values.ravel().tolist())
        shape = ", ".join(str(n) for n in values.shape) + ("," if values.ndim == 1 else "")
        self.loads.append(f"{name} = k[{start}:{start + values.size}].reshape(({shape}))")
        return name

    def vector(self) -> np.ndarray:
        return np.array(self.values, dtype=np.float64)


def linear_combination(terms) -> str:
    """'a*x + b*y - ...' from (coefficient name or None for 1, variable) pairs; '0.0' when empty."""
    parts = [var if coef is None else f"{coef}*{var}" for coef, var in terms]
    return " + ".join(parts) if parts else "0.0"
