"""Notebook views: the HTML a Jupyter notebook shows for a Result, Scan, Problem or Model.

Presentation, beside the command line (whose texts it reuses: ``summary()``'s cells, the step-error
line, the verdict against a reference, ``cqplug describe``), set as small tables with every value
escaped. Each object's ``_repr_html_`` imports its function here on first use.
"""

from __future__ import annotations

import html

import numpy as np

MAX_ROWS = 12  # observables (or scan points) a view lists; the object itself holds them all


def table(header: list, rows: list) -> str:
    """An HTML table of strings (escaped here)."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _paragraph(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _more(count: int, what: str) -> str:
    return _paragraph(f"... and {count} more {what}") if count > 0 else ""


def result_html(result, columns: int = 5) -> str:
    """One line, the means ± standard errors at a few saved times, the step error, the verdict against the
    reference the result carries (if any)."""
    from .results.compare import step_error_line, verdict
    from .results.result import Result, format_value

    names = list(result.observables)
    index = np.unique(np.linspace(0, len(result.times) - 1, columns).round().astype(int))
    rows = [[name] + [format_value(result.mean(name)[i], result.stderr(name)[i]) for i in index]
            for name in names[:MAX_ROWS]]
    parts = [f"<strong>{html.escape(repr(result))}</strong>",
             table(["t"] + [f"{result.times[i]:.4g}" for i in index], rows),
             _more(len(names) - MAX_ROWS, "observables")]
    if not result.info.deterministic or result.step_error() is not None:
        parts.append(_paragraph(step_error_line(result)[0]))
    if result.reference:
        exact = Result(result.times, {k: {"mean": np.asarray(v), "stderr": 0 * np.asarray(v)}
                                      for k, v in result.reference.items()})
        parts.append(_paragraph("against the exact reference: " + verdict(result, exact)[0]))
    return "\n".join(p for p in parts if p)


def scan_html(scan, observables: int = 3) -> str:
    """One line, then per grid point its parameters and the final-time mean ± stderr of a few observables."""
    from .results.result import format_value

    first = next((r for r in scan.results if r is not None), None)
    names = list(first.observables)[:observables] if first is not None else []
    header = list(scan.grid) + ([f"{n} (t = {first.times[-1]:g})" for n in names] if first is not None else [])
    rows = []
    for point, result, error in list(zip(scan.points, scan.results, scan.errors))[:MAX_ROWS]:
        cells = [f"{point[k]:g}" for k in scan.grid]
        if result is None:
            cells += ([f"no result: {error}"] + [""] * (len(names) - 1)) if names else []
        else:
            cells += [format_value(result.mean(n)[-1], result.stderr(n)[-1]) for n in names]
        rows.append(cells)
    return "\n".join(p for p in (f"<strong>{html.escape(repr(scan))}</strong>", table(header, rows),
                                 _more(len(scan.points) - MAX_ROWS, "points")) if p)


def problem_html(problem) -> str:
    """The parameter values, the trade-off and whether the CQ description is exact."""
    model = problem.model
    rows = [[k, f"{v:g}", model.parameters[k].description, model.parameters[k].unit] for k, v in problem.params.items()]
    t = problem.tradeoff
    status = "valid" if t.valid else "NOT valid: " + t.violation_message()
    exact = "exact" if problem.exact else "an approximation: " + "; ".join(problem.approximations)
    return "\n".join([f"<strong>{html.escape(repr(problem))}</strong>",
                      table(["parameter", "value", "meaning", "unit"], rows),
                      _paragraph(f"trade-off ratio {t.ratio:.6g} (>= 1 required): {status}"),
                      _paragraph(f"CQ description: {exact}")])


def model_html(model) -> str:
    """What ``cqplug describe`` prints, preformatted (its equations, parameters, channels, observables)."""
    from .cli.describe import describe_text
    from .errors import CQPlugError

    try:
        text = describe_text(model)
    except CQPlugError as exc:  # e.g. defaults the model's own initial state refuses: say so, keep the repr
        text = f"(cqplug describe failed: {exc})"
    return f"<strong>{html.escape(repr(model))}</strong>\n<pre>{html.escape(text)}</pre>"
