"""Text of ``cqplug check`` and ``cqplug describe``: a model and a parameter set explained."""

from __future__ import annotations

import numpy as np

from ..model.labels import operator_label
from ..problem.derivation import condition_text, declared_with_arrays, derive_problem


def tradeoff_status(t) -> str:
    if not t.valid:
        return "BELOW the threshold: " + t.violation_message()
    if t.saturated:
        return "saturated (minimal decoherence: pure conditioned states stay pure)"
    return "no back-reaction: any decoherence is allowed" if t.scale == 0 else "strictly above the threshold"


def _numbers(values, shown: int = 8) -> str:
    values = np.round(values, 6).tolist()
    return str(values) if len(values) <= shown else f"{values[:shown]} ... ({len(values)} values)"


def check_text(problem) -> str:
    """What ``cqplug check`` prints: the model's own positivity condition, its value here, exactness."""
    model, t = problem.model, problem.tradeoff
    lines = [f"model {model.name}: n = {model.n} classical degree(s) of freedom, d = {model.d}",
             "parameters: " + ", ".join(f"{k}={v:g}" for k, v in problem.params.items()),
             f"complete positivity of the CQ dynamics: {_condition(problem)}",
             f"trade-off ratio (>= 1 required, 1 = minimal decoherence): {t.ratio:.6g}",
             tradeoff_status(t)]
    if problem.exact:
        lines.append("CQ description: EXACT (H_C at most quadratic, couplings and channel operators linear in z)")
    else:
        lines.append("CQ description: APPROXIMATION - " + "; ".join(problem.approximations))
    return "\n".join(lines)


def _condition(problem) -> str:
    """The model's own condition (symbolic), or for a model declared with arrays the numeric one."""
    if declared_with_arrays(problem.model):
        return "D0 >= D1^T D2^+ D1, evaluated numerically (the model is declared with arrays)"
    return condition_text(derive_problem(problem))


def _hamiltonian_lines(problem) -> list:
    model = problem.model
    if not declared_with_arrays(model):
        derivation = derive_problem(problem)
        return [f"H(z) = {derivation.H}".replace("**", "^")]
    terms = " + ".join(f"({c}) {operator_label(m) or 'H_Q term'}" for c, m in model.H_Q) or "0"
    return [f"H(z) = H_C(z) + {terms} + sum_a h_a(z) L_a", f"  H_C: {model.H_C!r}"]


def describe_text(name, params=None) -> str:
    """What ``cqplug describe`` prints: everything a physicist needs to know about a model."""
    from ..problem import Problem

    problem = Problem(name, params, require_cq=False)
    model = problem.model
    lines = [f"# {model.name}", ""]
    if model.description:
        lines += [model.description.strip(), ""]
    names = [str(v) for v in model.z]
    if model.n > 4:
        names = names[:2] + ["...", names[model.n - 1], names[model.n], names[model.n + 1], "...", names[-1]]
    lines += [f"classical variables z = ({', '.join(names)}); quantum dimension d = {model.d}; "
              "units: hbar = 1", "", "## Hamiltonian", *_hamiltonian_lines(problem)]
    for (h, L) in model.couplings:
        lines.append(
            f"  coupling {h} x {operator_label(L) or 'L (a ' + str(model.d) + 'x' + str(model.d) + ' matrix)'}"
        )
    lines += ["", "## Parameters (name = default: meaning [unit])"]
    for k, p in model.parameters.items():
        unit = f" [{p.unit}]" if p.unit else ""
        lines.append(f"  {k} = {p.default:g}: {p.description or '(no description)'}{unit}")
    lines += ["", "## Channels"] + [f"  {ch.formula(model)}" for ch in problem.channels]
    initial = problem.initial
    g = initial.classical
    lines += [
        "",
        "## Initial state (at the defaults)",
        f"  C: Gaussian Wigner function, mean {_numbers(g.mean)}, "
        f"covariance diagonal {_numbers(np.diag(g.covariance))}",
        "  Q: " + (f"ket {np.round(initial.quantum, 6).tolist()}" if np.ndim(initial.quantum) == 1
                   else "a density matrix"),
        "",
        "## Observables",
    ]
    lines += [f"  {o.name}: {o.description or o.label}" for o in problem.observables]
    lines += ["", "## Complete positivity", f"  {_condition(problem)}",
              f"  trade-off ratio at these values: {problem.tradeoff.ratio:.6g} (>= 1 required)"]
    if not declared_with_arrays(model):
        minimal = derive_problem(problem).minimal
        lines += [f"  minimal {r}: {v} (the other rates fixed)".replace("**", "^") for r, v in minimal.items()]
    lines += [
        "",
        "## Exactness",
        "  EXACT" if problem.exact else "  APPROXIMATION: " + "; ".join(problem.approximations),
        "",
        f"default t_final = {model.t_final:g}; `cqplug derive {model.name}` prints the derived equations",
    ]
    return "\n".join(lines)
