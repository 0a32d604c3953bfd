"""Phase-space functions declared with arrays: models with many classical modes.

A bath of a thousand oscillators is 2000 phase-space variables; written as a string it is
thousands of terms, and every symbolic step (derivatives, code generation) grows with it. These
two classes declare the same functions by their coefficients instead, over the model's
z = (q_1..q_n, p_1..p_n):

* :class:`Quadratic` ``(hessian, gradient=None)`` as ``classical_hamiltonian``:
  H_C(z) = (1/2) z^T M z + b^T z, M a symmetric 2n x 2n NumPy array or SciPy sparse matrix;
* :class:`Linear` ``(vector, offset=0)`` wherever a linear phase-space function is accepted (a
  coupling h_a(z), the operator of ``classical-decoherence``, an observable's f):
  f(z) = v^T z + c.

Each array may instead be a function of the parameter values (a dict) returning it, so that
``-p`` and scans change it; its shape must not depend on them. Nothing symbolic is built that
grows with n unless a caller asks for the expression (``expression``, used by the exact
reference and ``derive`` of small models).
"""

from __future__ import annotations

import numbers

import numpy as np
import sympy as sp

from ..errors import InvalidProblem


def _dense_or_sparse(value, what: str):
    """A finite float array or SciPy sparse matrix (CSR) from what the user gave."""
    try:
        import scipy.sparse as sparse
    except ImportError:  # pragma: no cover - SciPy is a dependency
        sparse = None
    if sparse is not None and sparse.issparse(value):
        matrix = sparse.csr_matrix(value, dtype=float)
        if not np.all(np.isfinite(matrix.data)):
            raise InvalidProblem(f"{what} has entries that are not finite numbers")
        return matrix
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidProblem(f"{what} must be an array of real numbers, got {type(value).__name__}") from None
    if not np.all(np.isfinite(array)):
        raise InvalidProblem(f"{what} has entries that are not finite numbers")
    return array


def _resolve(value, params: dict | None, what: str):
    if callable(value):
        if params is None:
            return None  # checked when the parameter values are known
        try:
            value = value(dict(params))
        except Exception as exc:  # the model's own code: say where, in one line
            raise InvalidProblem(f"{what}: its function of the parameters failed: {type(exc).__name__}: {exc}") \
                from None
    return value


class Linear:
    """f(z) = v^T z + c over z = (q_1..q_n, p_1..p_n): ``vector`` v (length 2n; complex where a
    complex function is accepted), ``offset`` c. Either may be a function of the parameter values.
    ``name`` is how ``describe`` writes it (e.g. "sum_k c_k q_k")."""

    degree = 1

    def __init__(self, vector, offset=0.0, name: str = ""):
        self.vector, self.offset, self.name = vector, offset, name
        if not callable(vector):
            self._vector(None, None, "cqplug.Linear")
        if not callable(offset) and (isinstance(offset, bool) or not isinstance(offset, numbers.Real)
                                     or not np.isfinite(offset)):
            raise InvalidProblem(f"cqplug.Linear: offset must be a finite real number, got {offset!r}")

    def _vector(self, params, n_z, what) -> np.ndarray | None:
        value = _resolve(self.vector, params, what)
        if value is None:
            return None
        try:
            v = np.asarray(value, dtype=complex)
        except (TypeError, ValueError):
            raise InvalidProblem(f"{what}: the vector must hold numbers, got {type(value).__name__}") from None
        if v.ndim != 1 or (n_z is not None and v.shape != (n_z,)):
            expected = f"length 2n = {n_z}" if n_z is not None else "a one-dimensional array"
            raise InvalidProblem(f"{what}: the vector has shape {v.shape}; expected {expected} "
                                 "(over z = (q_1..q_n, p_1..p_n))")
        if not np.all(np.isfinite(v)):
            raise InvalidProblem(f"{what}: the vector has entries that are not finite numbers")
        return v

    def check(self, n_z: int, what: str, params: dict | None = None) -> None:
        """Raise InvalidProblem when the vector does not fit 2n = ``n_z`` (or is not finite)."""
        self._vector(params, n_z, what)

    def values(self, params: dict, n_z: int, what: str, complex_allowed: bool = False) -> tuple:
        """(v, c) at these parameter values; v real unless ``complex_allowed``."""
        v = self._vector(params, n_z, what)
        c = _resolve(self.offset, params, what)
        if isinstance(c, bool) or not isinstance(c, numbers.Real) or not np.isfinite(c):
            raise InvalidProblem(f"{what}: the offset must be a finite real number, got {c!r}")
        if not complex_allowed:
            if np.abs(v.imag).max(initial=0.0) > 0:
                raise InvalidProblem(f"{what}: the vector must be real here")
            v = v.real.copy()
        return v, float(c)

    def expression(self, z: list, params: dict) -> sp.Expr:
        """f as a SymPy expression in the symbols ``z`` at these parameter values (O(n) terms; complex
        coefficients written with I)."""
        v, c = self.values(params, len(z), "cqplug.Linear", complex_allowed=True)
        terms = [sp.Float(x.real) * s if x.imag == 0 else (sp.Float(x.real) + sp.I * sp.Float(x.imag)) * s
                 for x, s in zip(v, z) if x != 0]
        return sp.Add(*terms, sp.Float(c)) if c else sp.Add(*terms)

    def __repr__(self):
        if self.name:
            return self.name
        if callable(self.vector):
            return "Linear(<function of the parameters>)"
        v = np.asarray(self.vector)
        return f"Linear(vector of length {v.size}, {np.count_nonzero(v)} non-zero)"


class Quadratic:
    """H_C(z) = (1/2) z^T M z + b^T z: ``hessian`` M (2n x 2n, symmetric; NumPy or SciPy sparse),
    ``gradient`` b (length 2n, default 0). Either may be a function of the parameter values; ``name``
    is how ``describe`` writes H_C.
    Hamilton's equations are then linear, dz/dt = Omega (M z + b), and integrated exactly."""

    degree = 2

    def __init__(self, hessian, gradient=None, name: str = ""):
        self.hessian, self.gradient, self.name = hessian, gradient, name
        if not callable(hessian):
            self._hessian(None, None, "cqplug.Quadratic")
        if gradient is not None and not callable(gradient):
            self._gradient(None, None, "cqplug.Quadratic")

    def _hessian(self, params, n_z, what):
        value = _resolve(self.hessian, params, what)
        if value is None:
            return None
        M = _dense_or_sparse(value, f"{what}: the Hessian")
        if M.ndim != 2 or M.shape[0] != M.shape[1] or (n_z is not None and M.shape != (n_z, n_z)):
            expected = f"{n_z} x {n_z} (2n over z = (q_1..q_n, p_1..p_n))" if n_z is not None else "square"
            raise InvalidProblem(f"{what}: the Hessian has shape {M.shape}; expected {expected}")
        asymmetry = abs(M - M.T).max() if hasattr(M, "tocsr") else np.abs(M - M.T).max(initial=0.0)
        scale = abs(M).max() if hasattr(M, "tocsr") else np.abs(M).max(initial=0.0)
        if asymmetry > 1e-12 * max(1.0, scale):
            raise InvalidProblem(f"{what}: the Hessian is not symmetric (largest |M - M^T| = {asymmetry:.3g}); "
                                 "H_C = z^T M z / 2 needs M = M^T")
        return M

    def _gradient(self, params, n_z, what):
        if self.gradient is None:
            return np.zeros(n_z) if n_z is not None else None
        value = _resolve(self.gradient, params, what)
        if value is None:
            return None
        b = _dense_or_sparse(value, f"{what}: the gradient")
        b = np.asarray(b.toarray() if hasattr(b, "toarray") else b).ravel()
        if n_z is not None and b.shape != (n_z,):
            raise InvalidProblem(f"{what}: the gradient has length {b.size}; expected 2n = {n_z}")
        return b

    def check(self, n_z: int, what: str, params: dict | None = None) -> None:
        self._hessian(params, n_z, what)
        self._gradient(params, n_z, what)

    def values(self, params: dict, n_z: int, what: str) -> tuple:
        """(M as a SciPy CSR matrix, b) at these parameter values."""
        import scipy.sparse as sparse

        return sparse.csr_matrix(self._hessian(params, n_z, what)), self._gradient(params, n_z, what)

    def flow(self, params: dict, n_z: int, what: str) -> tuple:
        """(A, a) with Omega grad H_C = A z + a (A sparse CSR): Hamilton's equations."""
        M, b = self.values(params, n_z, what)
        omega = symplectic_matrix(n_z // 2)
        return (omega @ M).tocsr(), omega @ b

    def expression(self, z: list, params: dict) -> sp.Expr:
        """H_C as a SymPy expression in ``z`` at these parameter values (O(non-zeros) terms)."""
        M, b = self.values(params, len(z), "cqplug.Quadratic")
        M = M.tocoo()
        terms = [sp.Rational(1, 2) * sp.Float(v) * z[i] * z[j] for i, j, v in zip(M.row, M.col, M.data) if v != 0]
        terms += [sp.Float(v) * z[i] for i, v in enumerate(b) if v != 0]
        return sp.expand(sp.Add(*terms))

    def __repr__(self):
        if self.name:
            return self.name
        if callable(self.hessian):
            return "Quadratic(<function of the parameters>)"
        M = self.hessian
        nnz = M.nnz if hasattr(M, "nnz") else int(np.count_nonzero(M))
        return f"Quadratic({M.shape[0]} x {M.shape[1]} Hessian, {nnz} non-zero)"


def linear_expressions(matrix, offset, symbols: list) -> list:
    """SymPy expressions M_i . z + c_i, one per row of ``matrix`` (NumPy or SciPy sparse) over ``symbols``
    (O(non-zeros)); for the consumers that print or differentiate what arrays declared."""
    from scipy.sparse import csr_matrix

    matrix = csr_matrix(matrix)
    rows = []
    for i in range(matrix.shape[0]):
        part = slice(matrix.indptr[i], matrix.indptr[i + 1])
        terms = [sp.Mul(sp.Float(v), symbols[j], evaluate=False)
                 for j, v in zip(matrix.indices[part], matrix.data[part]) if v]
        rows.append(sp.Add(*terms, sp.Float(offset[i])) if offset[i] else sp.Add(*terms))
    return rows


def symplectic_matrix(n: int):
    """Omega = [[0, 1], [-1, 0]] (n x n blocks) as a SciPy sparse matrix: Omega grad f = (df/dp, -df/dq)."""
    import scipy.sparse as sparse

    eye = sparse.identity(n, format="csr")
    return sparse.bmat([[None, eye], [-eye, None]], format="csr")


def is_array_function(value) -> bool:
    return isinstance(value, (Linear, Quadratic))
