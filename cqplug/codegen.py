"""Code generation: the model's phase-space functions as plain source code for a backend.

Three functions are generated from the symbolic model, with z a vector (q_1..q_n, p_1..p_n),
``params`` the parameter values in the model's declared order and ``out`` preallocated:

    drift(z, params, expL, out):     out_i = {z_i, H_C} + sum_a (Omega grad h_a)_i expL[a]
    couplings(z, params, out):       out[a] = h_a(z)
    observables(z, params, out):     out[k] = f_k(z)   (classical part of each observable)

Common subexpressions are shared (SymPy ``cse``). :func:`python_source` prints them for
Numba, :func:`julia_source` for Julia (there the output array comes first: ``drift!(out, z,
params, expL)``, 1-based).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.printing.julia import JuliaCodePrinter
from sympy.printing.pycode import PythonCodePrinter


@dataclass(frozen=True)
class GeneratedFunction:
    name: str
    arguments: tuple
    outputs: list  # SymPy expressions in the renamed symbols z_i, c_j, e_a


def model_functions(problem) -> list:
    """The three phase-space functions of a problem's model, in renamed symbols."""
    model = problem.model
    z = [sp.Symbol(f"z_{i}", real=True) for i in range(2 * model.n)]
    c = [sp.Symbol(f"c_{j}", real=True) for j in range(len(model.parameters))]
    e = [sp.Symbol(f"e_{a}", real=True) for a in range(len(model.couplings))]
    rename = dict(zip(model.z, z))
    rename.update({model.parameter_symbols[k]: cj for k, cj in zip(model.parameters, c)})

    def r(expr):
        return sp.sympify(expr).xreplace(rename)

    hamilton = model.hamilton_equations()
    back = model.backreaction_vectors()
    drift = [r(hamilton[i]) + sum((r(back[a][i]) * e[a] for a in range(len(back))), sp.Integer(0))
             for i in range(2 * model.n)]
    return [
        GeneratedFunction("drift", ("z", "params", "expL", "out"), drift),
        GeneratedFunction("couplings", ("z", "params", "out"), [r(h) for h, _ in model.couplings]),
        GeneratedFunction("observables", ("z", "params", "out"), [r(o.classical) for o in problem.observables]),
    ]


def _unpack(expr_list, argument_names) -> list:
    used = set().union(*(sp.sympify(x).free_symbols for x in expr_list)) if expr_list else set()
    lines = []
    for prefix, array in (("z_", "z"), ("c_", "params"), ("e_", "expL")):
        if array not in argument_names:
            continue
        for s in sorted((s for s in used if s.name.startswith(prefix)), key=lambda s: int(s.name[2:])):
            lines.append((s.name, f"{array}[{int(s.name[2:])}]"))
    return lines


def python_source(functions) -> str:
    """Python source of the functions (``math`` functions; suitable for numba.njit)."""
    printer = PythonCodePrinter({"standard": "python3"})
    chunks = ["import math\n"]
    for f in functions:
        body = []
        replacements, reduced = sp.cse(f.outputs, symbols=sp.numbered_symbols("t_"))
        for name, index in _unpack(f.outputs, f.arguments):
            body.append(f"    {name} = {index}")
        for sym, expr in replacements:
            body.append(f"    {sym} = {printer.doprint(expr)}")
        for i, expr in enumerate(reduced):
            body.append(f"    out[{i}] = {printer.doprint(sp.Float(expr) if expr.is_number else expr)}")
        body.append("    return")
        chunks.append(f"def {f.name}({', '.join(f.arguments)}):\n" + "\n".join(body) + "\n")
    return "\n".join(chunks)



def julia_source(functions) -> str:
    """Julia source of the functions: ``name!(out, args...)``, 1-based, scalar arithmetic."""
    printer = JuliaCodePrinter({"inline": True})

    def jl(expr):
        text = printer.doprint(sp.Float(expr) if expr.is_number else expr)
        return text.replace(".^", "^").replace(".*", "*").replace("./", "/")  # scalars: no broadcasting

    chunks = []
    for f in functions:
        body = []
        replacements, reduced = sp.cse(f.outputs, symbols=sp.numbered_symbols("t_"))
        for name, index in _unpack(f.outputs, f.arguments):
            array, i = index[:-1].split("[")
            body.append(f"    {name} = {array}[{int(i) + 1}]")
        for sym, expr in replacements:
            body.append(f"    {sym} = {jl(expr)}")
        for i, expr in enumerate(reduced):
            body.append(f"    out[{i + 1}] = {jl(expr)}")
        args = ["out"] + [a for a in f.arguments if a != "out"]
        chunks.append(f"function {f.name}!({', '.join(args)})\n" + "\n".join(body) + "\n    return nothing\nend\n")
    return "\n".join(chunks)
