"""Text of ``cqplug check`` and ``cqplug describe``: a model and a parameter set explained."""

from __future__ import annotations

import numpy as np

from ..model.labels import operator_label
from ..problem.derivation import condition_text, derive_problem


def tradeoff_status(t) -> str:
    if not t.valid:
        return "BELOW the threshold: " + t.violation_message()
    if t.saturated:
        return "saturated (minimal decoherence: pure conditioned states stay pure)"
    return "no back-reaction: any decoherence is allowed" if t.scale == 0 else "strictly above the threshold"


def check_text(problem) -> str:
    """What ``cqplug check`` prints: the model's own positivity condition, its value here, exactness."""
    model, t = problem.model, problem.tradeoff
    derivation = derive_problem(problem)
    lines = [f"model {model.name}: n = {model.n} classical degree(s) of freedom, d = {model.d}",
             "parameters: " + ", ".join(f"{k}={v:g}" for k, v in problem.params.items()),
             f"complete positivity of the CQ dynamics: {condition_text(derivation)}",
             f"trade-off ratio (>= 1 required, 1 = minimal decoherence): {t.ratio:.6g}",
             tradeoff_status(t)]
    if problem.exact:
        lines.append("CQ description: EXACT (H_C at most quadratic, couplings and channel operators linear in z)")
    else:
        lines.append("CQ description: APPROXIMATION - " + "; ".join(problem.approximations))
    return "\n".join(lines)


def describe_text(name, params=None) -> str:
    """What ``cqplug describe`` prints: everything a physicist needs to know about a model."""
    from ..problem import Problem

    problem = Problem(name, params, require_cq=False)
    model = problem.model
    derivation = derive_problem(problem)
    lines = [f"# {model.name}", ""]
    if model.description:
        lines += [model.description.strip(), ""]
    lines += [f"classical variables z = ({', '.join(map(str, model.z))}); quantum dimension d = {model.d}; "
              "units: hbar = 1", "", "## Hamiltonian", f"H(z) = {derivation.H}".replace("**", "^")]
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
        f"  C: Gaussian Wigner function, mean {np.round(g.mean, 6).tolist()}, covariance diagonal "
        f"{np.round(np.diag(g.covariance), 6).tolist()}",
        "  Q: " + (f"ket {np.round(initial.quantum, 6).tolist()}" if np.ndim(initial.quantum) == 1
                   else "a density matrix"),
        "",
        "## Observables",
    ]
    lines += [f"  {o.name}: {o.description or o.label}" for o in problem.observables]
    lines += ["", "## Complete positivity", f"  {condition_text(derivation)}"]
    lines += [f"  minimal {r}: {v} (the other rates fixed)".replace("**", "^") for r, v in derivation.minimal.items()]
    lines += [
        "",
        "## Exactness",
        "  EXACT" if problem.exact else "  APPROXIMATION: " + "; ".join(problem.approximations),
        "",
        f"default t_final = {model.t_final:g}; `cqplug derive {model.name}` prints the derived equations",
    ]
    return "\n".join(lines)
