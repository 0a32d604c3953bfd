"""The model's phase-space functions as symbolic expressions, and one code printer for every backend.

A backend never sees the model. It receives each phase-space function as a
:class:`PhaseSpaceFunction`: SymPy expressions in renamed symbols, ``z_i`` for the phase-space
variables (q_1..q_n, p_1..p_n) and ``c_j`` for the parameters in the model's declared order.
It prints them with a :class:`CodePrinter` for its language:

    hamilton(z)      dz_i/dt = {z_i, H_C} + f_i(z)       (2n outputs; f: the channels' friction drift)
    couplings(z)     h_a(z)                              (one output per coupling)
    observables(z)   f_k(z), the classical part of each observable

The printers share the common-subexpression elimination and differ only in how an expression,
an array element and a function look: :class:`PythonPrinter` (Numba-compilable Python with
``math``), :class:`JuliaPrinter` (1-based, in place, ``name!(out, z, params)``) and
:class:`JaxPrinter` (``jax.numpy``, returning a tuple, traceable by ``jit``/``vmap``).
Functions a language lacks are refused in Python with a clear message, before any backend starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp
from sympy.printing.julia import JuliaCodePrinter
from sympy.printing.pycode import PythonCodePrinter

from ..errors import InvalidProblem
from ..model.arrays import Linear, linear_expressions

#: SymPy functions every printer supports (the names the safe parser accepts, plus powers).
SUPPORTED_FUNCTIONS = {"sqrt", "exp", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan",
                       "Abs", "atan2"}


@dataclass(frozen=True, eq=False)
class PhaseSpaceFunction:
    """outputs(z, params): SymPy expressions in the symbols ``z_i`` and ``c_j`` (see module doc).

    ``linear``, when known, is (matrix, offset) with outputs = matrix @ z + offset at this run's
    parameter values (matrix a NumPy array or SciPy sparse matrix, one row per output): a backend
    may read it instead of printing the outputs, which is what keeps a model of many modes cheap.
    ``given`` None: the outputs are written out from ``linear`` only if a backend asks for them.
    """

    name: str
    given: tuple | None = None
    linear: tuple | None = None

    @cached_property
    def outputs(self) -> tuple:
        if self.given is not None:
            return self.given
        matrix = self.linear[0]
        return tuple(linear_expressions(matrix, self.linear[1], [z_symbol(i) for i in range(matrix.shape[1])]))

    @property
    def symbols(self) -> set:
        if self.given is None:
            from scipy.sparse import csr_matrix

            return {z_symbol(int(j)) for j in np.unique(csr_matrix(self.linear[0]).indices)}
        return set().union(*(sp.sympify(x).free_symbols for x in self.outputs)) if self.outputs else set()


def z_symbol(i: int) -> sp.Symbol:
    return sp.Symbol(f"z_{i}", real=True)


def parameter_symbol(j: int) -> sp.Symbol:
    return sp.Symbol(f"c_{j}", real=True)


def phase_space_functions(problem) -> dict:
    """{"hamilton", "couplings", "observables"} of a problem's model, in renamed symbols."""
    model = problem.model
    rename = {s: z_symbol(i) for i, s in enumerate(model.z)}
    rename.update({model.parameter_symbols[k]: parameter_symbol(j) for j, k in enumerate(model.parameters)})

    def r(expr):
        return sp.sympify(expr).xreplace(rename)

    params = problem.params
    arrays = any(isinstance(h, Linear) for h, _ in model.couplings)
    flow = problem.linear_flow()
    functions = {
        "hamilton": PhaseSpaceFunction("hamilton", None, flow) if flow is not None else
        PhaseSpaceFunction("hamilton", tuple(r(e) for e in problem.classical_flow())),
        "couplings": PhaseSpaceFunction("couplings", None if arrays else tuple(r(h) for h, _ in model.couplings),
                                        (problem.coupling_gradients, problem.coupling_offsets)),
        "observables": PhaseSpaceFunction("observables",
                                          tuple(r(model.symbolic(o.classical, params)) for o in problem.observables),
                                          _linear_observables(problem)),
    }
    for f in functions.values():
        if f.given is not None:  # written out from arrays: numbers and z only
            check_supported(f, model.name)
    return functions


def _linear_observables(problem) -> tuple | None:
    """(F, f0) with f_k(z) = F_k . z + f0_k when every observable's classical part is at most linear (the
    rule for a bath, whose observables are quantum: f = 1); None otherwise."""
    model = problem.model
    degrees = [model.polynomial_degree(o.classical) for o in problem.observables]
    if any(degree is None or degree > 1 for degree in degrees):
        return None
    rows = [model.linear_coefficients(o.classical, problem.params, f"observable {o.name}") for o in problem.observables]
    return np.array([v for v, _ in rows]).reshape(-1, 2 * model.n), np.array([c for _, c in rows])


def check_supported(function: PhaseSpaceFunction, model: str) -> None:
    """Refuse functions that some backend's language cannot print (gamma, erf, Heaviside, ...)."""
    for expr in function.outputs:
        for f in sp.sympify(expr).atoms(sp.Function):
            if type(f).__name__ not in SUPPORTED_FUNCTIONS:
                raise InvalidProblem(f"model {model!r}: {function.name} uses {type(f).__name__}, which the backends "
                                     f"cannot compile; use {', '.join(sorted(SUPPORTED_FUNCTIONS - {'Abs'}))} or abs")


class CodePrinter:
    """Prints a PhaseSpaceFunction as straight-line code: shared subexpressions, then the outputs.

    Subclasses say how an expression, an input element and an output assignment look.
    """

    comment = "#"

    def expression(self, expr) -> str:
        raise NotImplementedError

    def statements(self, function: PhaseSpaceFunction, z_names, parameter_names, targets, prefix: str = "t") -> list:
        """Lines computing ``targets[k] = outputs[k]`` with z_i and c_j replaced by ``z_names[i]``
        and ``parameter_names[j]`` (strings: local variables or array elements)."""
        replacements, reduced = sp.cse(list(function.outputs), symbols=sp.numbered_symbols(f"{prefix}_"))
        names = {z_symbol(i): sp.Symbol(n) for i, n in enumerate(z_names)}
        names.update({parameter_symbol(j): sp.Symbol(n) for j, n in enumerate(parameter_names)})
        lines = [f"{sym} = {self.expression(sp.sympify(expr).xreplace(names))}" for sym, expr in replacements]
        for target, expr in zip(targets, reduced):
            expr = sp.sympify(expr).xreplace(names)
            lines.append(f"{target} = {self.expression(sp.Float(expr) if expr.is_number else expr)}")
        return lines

    def function_body(self, function: PhaseSpaceFunction, n_z: int, n_parameters: int, targets,
                      first_index: int = 0) -> list:
        """The lines of a function of arrays ``z`` and ``params`` (indexed from ``first_index``):
        the z_i and c_j it uses read into locals, then :meth:`statements` into ``targets``."""
        used = function.symbols
        body = [f"z_{i} = z[{i + first_index}]" for i in range(n_z) if z_symbol(i) in used]
        body += [f"c_{j} = params[{j + first_index}]" for j in range(n_parameters) if parameter_symbol(j) in used]
        return body + self.statements(function, [f"z_{i}" for i in range(n_z)],
                                      [f"c_{j}" for j in range(n_parameters)], targets)


class _Python(PythonCodePrinter):
    def _print_Pow(self, expr, rational=False):  # small integer powers as products: vectorisable
        base, exp = expr.as_base_exp()
        if exp.is_Integer and 1 < int(exp) <= 4:
            b = self.parenthesize(base, 100)
            return "*".join([b] * int(exp))
        if exp.is_Integer and -4 <= int(exp) < 0:
            b = self.parenthesize(base, 100)
            return "1.0/(" + "*".join([b] * -int(exp)) + ")"
        return super()._print_Pow(expr, rational)


class PythonPrinter(CodePrinter):
    """Python with ``math`` functions, compiled by Numba (integer powers written as products)."""

    def __init__(self):
        self._printer = _Python({"standard": "python3", "fully_qualified_modules": True})

    def expression(self, expr) -> str:
        return self._printer.doprint(expr)


class _Julia(JuliaCodePrinter):
    def _print_Exp1(self, expr):
        return "exp(1.0)"

    def _print_atan2(self, expr):
        return f"atan({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"


class JuliaPrinter(CodePrinter):
    """Julia: scalar arithmetic (no broadcasting dots), ``exp(1.0)`` for e, two-argument ``atan``."""

    def __init__(self):
        self._printer = _Julia({"inline": True})

    def expression(self, expr) -> str:
        text = self._printer.doprint(expr)
        return text.replace(".^", "^").replace(".*", "*").replace("./", "/")

    def function(self, function: PhaseSpaceFunction, n_z: int, n_parameters: int) -> str:
        """``function name!(out, z, params) ... end`` (1-based)."""
        targets = [f"out[{k + 1}]" for k in range(len(function.outputs))]
        body = self.function_body(function, n_z, n_parameters, targets, first_index=1)
        lines = "\n".join("    " + line for line in body + ["return nothing"])
        return f"function {function.name}!(out, z, params)\n{lines}\nend\n"


class JaxPrinter(CodePrinter):
    """JAX: ``jnp`` functions; ``name(z, params)`` returns a tuple of the outputs."""

    def __init__(self):
        from sympy.printing.numpy import JaxPrinter as _Jax

        self._printer = _Jax()

    def expression(self, expr) -> str:
        return self._printer.doprint(expr).replace("jax.numpy.", "jnp.")

    def function(self, function: PhaseSpaceFunction, n_z: int, n_parameters: int) -> str:
        targets = [f"out_{k}" for k in range(len(function.outputs))]
        body = self.function_body(function, n_z, n_parameters, targets)
        outputs = ", ".join(f"out_{k} + 0.0 * z[0]" for k in range(len(function.outputs)))  # arrays, not numbers
        body.append(f"return ({outputs}{',' if len(function.outputs) == 1 else ''})")
        lines = "\n".join("    " + line for line in body)
        return f"def {function.name}(z, params):\n{lines}\n"
