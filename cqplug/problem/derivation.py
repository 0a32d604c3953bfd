"""The equations cqplug derives from a model, symbolically (what ``cqplug derive`` prints).

From H(z) = H_C(z) + H_Q + sum_a h_a(z) L_a and the channels (physics.md §3–5):

* Hamilton's equations with back-reaction: dz/dt = Omega grad H_C + sum_a (Omega grad h_a) <L_a>;
* the diffusion D2 (from the classical channels), back-reaction D1 = (1/2) Omega grad h_a and
  quantum decoherence D0 (from the dephasing channels), Omega = [[0, 1], [-1, 0]];
* complete positivity, D0 >= D1^T D2^+ D1 with (1 - D2 D2^+) D1 = 0, as inequalities between the
  parameters (each eigenvalue of D0 - D1^T D2^+ D1 >= 0, denominators cleared for positive
  rates), and the minimal value of each rate on its own;
* the hybrid (partial-Wigner) master equation for the operator-valued density W(z);
* the CQ trajectory SDEs, with sigma sigma^T = D2 and sigma K^T = D1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from ..errors import InvalidProblem
from ..model.arrays import is_array_function
from ..model.labels import operator_label


@dataclass
class Derivation:
    model: object
    operators: dict  # name -> matrix label
    H: sp.Expr  # H(z) with noncommutative operator symbols
    flow: list  # dz_i/dt, with <L_a> symbols
    D2: sp.Matrix
    D1: sp.Matrix
    D0: sp.Matrix
    conditions: list  # (lhs, rhs) with lhs >= rhs
    minimal: dict  # rate -> minimal value (others fixed)
    range_ok: bool
    sigma: sp.Matrix | None
    K: sp.Matrix | None
    quantum_channels: list  # formulas of the channels acting on Q alone (rate D[J])


def declared_with_arrays(model) -> bool:
    """True for a model whose H_C or couplings are arrays (cqplug.Quadratic / Linear): no symbolic derivation."""
    return is_array_function(model.H_C) or any(is_array_function(h) for h, _ in model.couplings)


def derive_problem(problem) -> Derivation:
    """The derivation for a Problem's model and (resolved) channels."""
    model, channels = problem.model, problem.channels
    if declared_with_arrays(model):
        raise InvalidProblem(f"model {model.name!r} is declared with arrays (cqplug.Quadratic / cqplug.Linear, "
                             f"n = {model.n} modes): it has no symbolic derivation; `cqplug describe "
                             f"{model.name}` shows its equations and numbers")
    n, n_L = model.n, len(model.couplings)
    operators = {}
    L_symbols = []
    for a, (_, L) in enumerate(model.couplings):
        label = operator_label(L) or f"L_{a}"
        operators[f"L_{a}"] = label
        L_symbols.append(sp.Symbol(label, commutative=False))
    H = model.H_C
    for i, (c, m) in enumerate(model.H_Q):
        label = operator_label(m) or f"HQ_{i}"
        H = H + c * sp.Symbol(label, commutative=False)
    for (h, _), L in zip(model.couplings, L_symbols):
        H = H + h * L
    expectations = [sp.Symbol(f"<{operators[f'L_{a}']}>") for a in range(n_L)]
    flow = problem.classical_flow()
    back = model.backreaction_vectors()
    flow = [f + sum((back[a][i] * expectations[a] for a in range(n_L)), sp.Integer(0)) for i, f in enumerate(flow)]
    D2 = sp.zeros(2 * n, 2 * n)
    D0 = sp.zeros(n_L, n_L)
    for ch in channels:
        d2, d0 = ch.symbolic_diffusion(model), ch.symbolic_decoherence(model)
        if d2 is not None:
            D2 += d2
        if d0 is not None:
            D0 += d0
    D1 = sp.Matrix(2 * n, n_L, lambda i, a: sp.Rational(1, 2) * back[a][i]) if n_L else sp.zeros(2 * n, 0)
    D2_pinv = _pinv(D2)
    range_ok = n_L == 0 or sp.simplify((sp.eye(2 * n) - D2 * D2_pinv) * D1) == sp.zeros(2 * n, n_L)
    rates = sorted({model.parameter_symbols[ch.rate] for ch in channels}, key=str)
    conditions, minimal = [], {}
    sigma = K = None
    if n_L and range_ok:
        M = sp.simplify(D0 - D1.T * D2_pinv * D1)
        for value in (M.eigenvals() if M.shape[0] > 1 else {M[0, 0]: 1}):
            relation = _inequality(sp.simplify(value), rates, set(model.parameter_symbols.values()))
            if relation is not None and relation not in conditions:
                conditions.append(relation)
        for lhs, rhs in conditions:
            for r in rates:
                if (lhs - rhs).has(r):
                    solutions = [s for s in sp.solve(sp.Eq(lhs, rhs), r) if s != 0]
                    if solutions:
                        minimal.setdefault(r, []).append(sp.simplify(solutions[0]))
        minimal = {r: values[0] if len(values) == 1 else sp.Max(*values) for r, values in minimal.items()}
        sigma, K = _factors(D2, D1)
    quantum_channels = [ch.formula(model) for ch in channels if ch.jump_operators(model, problem.params)]
    return Derivation(model, operators, H, flow, D2, D1, D0, conditions, minimal, range_ok, sigma, K,
                      quantum_channels)


def _pinv(D2: sp.Matrix) -> sp.Matrix:
    if D2.is_diagonal():
        return sp.diag(*[0 if v == 0 else 1 / v for v in D2.diagonal()])
    return D2.pinv()


def _factors(D2: sp.Matrix, D1: sp.Matrix) -> tuple:
    """(sigma, K) with sigma sigma^T = D2 and sigma K^T = D1, for diagonal D2 (else (None, None))."""
    if not D2.is_diagonal():
        return None, None
    columns = [i for i, v in enumerate(D2.diagonal()) if v != 0]
    sigma = sp.zeros(D2.shape[0], len(columns))
    for j, i in enumerate(columns):
        sigma[i, j] = sp.sqrt(D2[i, i])
    K = sp.zeros(D1.shape[1], len(columns))
    for j, i in enumerate(columns):
        for a in range(D1.shape[1]):
            K[a, j] = sp.simplify(D1[i, a] / sp.sqrt(D2[i, i]))
    return sigma, K


def _inequality(value, rates, parameters):
    """value >= 0 with positive denominators cleared, as (lhs, rhs) with positive terms on each
    side; None when it holds for every positive rate."""
    assume = {s: sp.Symbol(s.name, positive=True) for s in parameters}
    numerator, denominator = sp.fraction(sp.together(value.xreplace(assume)))
    back = {v: k for k, v in assume.items()}
    numerator = sp.expand(numerator.xreplace(back))
    positive = [t for t in sp.Add.make_args(numerator) if not t.could_extract_minus_sign()]
    negative = [-t for t in sp.Add.make_args(numerator) if t.could_extract_minus_sign()]
    if not negative:
        return None
    lhs, rhs = sp.Add(*positive), sp.Add(*negative)
    if not (denominator.xreplace(back).is_positive or all(f.is_positive for f in sp.Mul.make_args(denominator))):
        lhs, rhs = rhs, lhs
    return lhs, rhs


# -- rendering ---------------------------------------------------------------------------------
def _text(expr) -> str:
    return sp.sstr(expr).replace("**", "^")


def _matrix_text(M: sp.Matrix) -> str:
    return "[" + "; ".join(", ".join(_text(M[i, j]) for j in range(M.shape[1])) for i in range(M.shape[0])) + "]"


def condition_text(derivation) -> str:
    if not derivation.range_ok:
        return "impossible: the back-reaction acts along a direction in which C does not diffuse"
    if not derivation.conditions:
        return "no condition (no back-reaction)"
    return " and ".join(f"{_text(lhs)} >= {_text(rhs)}" for lhs, rhs in derivation.conditions)


def render_text(d: Derivation) -> str:
    model = d.model
    z = [str(s) for s in model.z]
    lines = [f"# {model.name}: derived equations (hbar = 1; z = ({', '.join(z)}))", "",
             "## Hamiltonian", f"H(z) = {_text(d.H)}"]
    lines += [f"  {k} = {v}" for k, v in d.operators.items() if k != v]
    lines += ["", "## Hamilton's equations with back-reaction (dz/dt = Omega grad H_C + f(z) + sum_a Omega grad h_a "
              "<L_a>; f: the channels' friction)"]
    lines += [f"d{name}/dt = {_text(f)}" for name, f in zip(z, d.flow)]
    lines += ["", "## Diffusion, back-reaction and decoherence matrices",
              f"D2 = {_matrix_text(d.D2)}     (over {', '.join(z)})",
              f"D1 = {_matrix_text(d.D1)}     (D1[i, a] = (1/2) (Omega grad h_a)_i)",
              f"D0 = {_matrix_text(d.D0)}     (over the coupling operators)",
              "", "## Complete positivity (D0 >= D1^T D2^+ D1, (1 - D2 D2^+) D1 = 0)",
              f"condition: {condition_text(d)}"]
    lines += [f"minimal {r}: {_text(v)} (the other rates fixed)" for r, v in d.minimal.items()]
    Ls = list(d.operators.values())
    lines += ["", "## Hybrid (partial-Wigner) master equation for W(z), a d x d matrix at each z",
              "dW/dt = - sum_i d/dz_i [(dz_i/dt)|_{H_C, f} W] - i[H_Q + sum_a h_a(z) L_a, W]",
              "        - sum_{i,a} D1[i,a] d/dz_i {L_a, W} + (1/2) sum_ij D2[i,j] d^2W/dz_i dz_j",
              "        + sum_ab D0[a,b] (L_a W L_b - {L_b L_a, W}/2)"
              + (" + sum_k r_k D[J_k] W" if d.quantum_channels else ""),
              f"  with L = ({', '.join(Ls)})"]
    if d.quantum_channels:
        lines += ["  and the quantum Lindblad terms r_k D[J_k]: " + "; ".join(d.quantum_channels)]
    lines += ["", "## CQ trajectories (Ito; one Wiener vector dW shared by C and Q)"]
    if d.sigma is not None and d.K is not None:
        lines += [f"sigma = {_matrix_text(d.sigma)}   (sigma sigma^T = D2)",
                  f"K = {_matrix_text(d.K)}   (sigma K^T = D1; C_j = sum_a K[a,j] L_a)",
                  "dz = (dz/dt above) dt + sigma dW",
                  "drho = -i[H(z), rho] dt + sum_ab D0[a,b] (L_a rho L_b - {L_b L_a, rho}/2) dt"
                  + (" + sum_k r_k D[J_k] rho dt" if d.quantum_channels else ""),
                  "       + sum_j (C_j rho + rho C_j - 2 <C_j> rho) dW_j"]
    else:
        lines.append("(sigma and K have no closed form here: D2 is not diagonal or positivity fails)")
    return "\n".join(lines)


GREEK_ABBREVIATIONS = {"lam": "lambda", "lamda": "lambda", "lmbda": "lambda"}  # names SymPy cannot spell Greek


def _latex_name(name: str) -> str:
    r"""LaTeX of a symbol or operator name: sigma_z -> \sigma_{z}, lam -> \lambda, <sigma_z> -> <\sigma_{z}>."""
    if name.startswith("<") and name.endswith(">"):
        return r"\langle " + _latex_name(name[1:-1]) + r" \rangle"
    stem, _, index = name.partition("_")
    digits = re.fullmatch(r"([A-Za-z]+?)(\d+)", stem)
    if digits and not index:  # lam1 -> lambda_1
        stem, index = digits.groups()
    stem = GREEK_ABBREVIATIONS.get(stem, stem)
    return sp.latex(sp.Symbol(stem + ("_" + index if index else "")))


def render_latex(d: Derivation) -> str:
    """The derivation as one LaTeX align block (every section of the plain text), ready for a paper or
    MathJax; each symbol typeset (lam as \\lambda, <sigma_z> as \\langle\\sigma_{z}\rangle)."""
    model = d.model
    symbols = set(d.H.free_symbols) | set().union(*(sp.sympify(f).free_symbols for f in d.flow))
    for M in (d.D2, d.D1, d.D0, *(x for x in (d.sigma, d.K) if x is not None)):
        symbols |= M.free_symbols
    for lhs, rhs in d.conditions:
        symbols |= sp.sympify(lhs).free_symbols | sp.sympify(rhs).free_symbols
    for r, v in d.minimal.items():
        symbols |= {r} | sp.sympify(v).free_symbols
    names = {s: _latex_name(str(s)) for s in symbols}

    def L(x):
        return sp.latex(x, symbol_names=names)

    z = list(model.z)
    operators = ", ".join(_latex_name(v) for v in d.operators.values())
    out = [r"% cqplug derive " + model.name + r" (hbar = 1); L = (" + ", ".join(d.operators.values()) + ")",
           r"\begin{align}",
           r"H(z) &= " + L(d.H) + r" \\"]
    out += [r"\frac{d" + L(s) + r"}{dt} &= " + L(f) + r" \\" for s, f in zip(z, d.flow)]
    out += [r"D_2 &= " + L(d.D2) + r", \quad D_1 = " + L(d.D1) + r", \quad D_0 = " + L(d.D0) + r" \\"]
    if not d.range_ok:
        out.append(r"&\text{no valid CQ dynamics: the back-reaction acts where } C \text{ does not diffuse} \\")
    elif d.conditions:
        out.append(r"&" + r",\quad ".join(L(lhs) + r" \geq " + L(rhs) for lhs, rhs in d.conditions)
                   + r" \quad (D_0 \succeq D_1^T D_2^{+} D_1) \\")
    out += [L(r) + r" &\geq " + L(v) + r" \quad \text{(its minimum, the other rates fixed)} \\"
            for r, v in d.minimal.items()]
    channels = r" + \sum_k r_k \mathcal{D}[J_k] W" if d.quantum_channels else ""
    out += [r"\partial_t W &= -\sum_i \partial_{z_i}\big[\dot z_i|_{H_C, f}\, W\big]"
            r" - i\Big[H_Q + \sum_a h_a(z) L_a, W\Big] - \sum_{i,a} (D_1)_{ia}\, \partial_{z_i}\{L_a, W\} \nonumber \\",
            r"&\quad + \tfrac12 \sum_{ij} (D_2)_{ij}\, \partial_{z_i}\partial_{z_j} W"
            r" + \sum_{ab} (D_0)_{ab} \big(L_a W L_b - \tfrac12\{L_b L_a, W\}\big)" + channels
            + r", \qquad L = (" + operators + r") \\"]
    if d.sigma is not None and d.K is not None:
        dephasing = r" + \sum_{ab} (D_0)_{ab} \big(L_a \rho L_b - \tfrac12\{L_b L_a, \rho\}\big)\, dt"
        out += [r"\sigma &= " + L(d.sigma) + r", \quad K = " + L(d.K)
                + r" \qquad (\sigma\sigma^T = D_2,\ \sigma K^T = D_1,\ C_j = \textstyle\sum_a K_{aj} L_a) \\",
                r"dz &= \dot z\, dt + \sigma\, dW \\",
                r"d\rho &= -i[H(z), \rho]\, dt" + dephasing
                + (r" + \sum_k r_k \mathcal{D}[J_k]\rho\, dt" if d.quantum_channels else "")
                + r" + \sum_j \big(C_j \rho + \rho C_j - 2\langle C_j\rangle \rho\big)\, dW_j"]
    else:
        out.append(r"&\text{(}\sigma\text{ and }K\text{ have no closed form here)}")
    out.append(r"\end{align}")
    return "\n".join(out)


def derive(model, params=None, latex: bool = False) -> str:
    """``cqplug derive``: the derivation of a model (name or Model) as text or LaTeX."""
    from .problem import Problem

    problem = Problem(model, params, require_cq=False)
    d = derive_problem(problem)
    return render_latex(d) if latex else render_text(d)
