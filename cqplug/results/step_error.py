"""The step error of a run against its statistical error, in one vocabulary.

A run integrated on the coarse grid 2 dt as well (physics and numerics: docs/numerics.md) estimates
the bias of every mean, ``bias`` with its own standard error ``bias_stderr``. Against the means'
standard errors ``stderr``, worst over observables and saved times:

    estimate = max |bias| / stderr,   upper = max (|bias| + 2 bias_stderr) / stderr,
    lower = max (|bias| - 2 bias_stderr) / stderr                    (all in standard errors)

and exactly one of three statements holds, the only ones cqplug prints (the CLI, ``str()`` here,
the docs):

* ``below``: upper < 1, "below the statistical error";
* ``unresolved``: lower <= 1 <= upper, "not resolved from the statistical error" (its own
  uncertainty straddles one standard error: more trajectories would tell);
* ``above``: lower > 1, "above the statistical error" (a WARNING naming the dt that would bring it
  to about half a standard error).
"""

from __future__ import annotations

from dataclasses import dataclass

STATEMENTS = {
    "below": "below the statistical error",
    "unresolved": "not resolved from the statistical error",
    "above": "above the statistical error",
}


@dataclass(frozen=True)
class StepError:
    """A run's step error in standard errors of its means (see the module docstring): ``estimate``,
    ``upper`` and ``lower`` (worst over observables and saved times), at time step ``dt``."""

    estimate: float
    upper: float
    lower: float
    dt: float

    @property
    def verdict(self) -> str:
        """"below", "unresolved" or "above" (:data:`STATEMENTS`)."""
        if self.upper < 1.0:
            return "below"
        return "unresolved" if self.lower <= 1.0 else "above"

    @property
    def acceptable(self) -> bool:
        """False only when the step error is significantly above the statistical error."""
        return self.verdict != "above"

    def suggested_dt(self, margin: float = 0.5) -> float | None:
        """A dt whose step error would be about ``margin`` standard errors, assuming only that it
        decreases as dt (conservative); None when the estimate is zero."""
        return self.dt * min(1.0, margin / self.estimate) if self.estimate > 0 else None

    def __str__(self) -> str:
        head = f"step error (dt = {self.dt:.4g}): {STATEMENTS[self.verdict]}"
        if self.verdict == "below":
            return f"{head} (at most {self.upper:.2f} standard errors, its own uncertainty included)"
        if self.verdict == "unresolved":
            return (f"{head} (estimated {self.estimate:.2f} standard errors, between {max(self.lower, 0.0):.2f} "
                    f"and {self.upper:.2f}; more trajectories would resolve it)")
        return (f"WARNING: {head} ({self.estimate:.2f} standard errors, at least {self.lower:.2f}): the means "
                f"carry a time-discretisation bias; --dt {self.suggested_dt():.3g} would bring it to about half a "
                "standard error (or use --extrapolate)")

    def __getitem__(self, key: str) -> float:
        """cqplug 0.2 returned a dict: ``step_error()["upper"]`` still works, with a DeprecationWarning."""
        from ..deprecation import deprecated

        if key not in ("estimate", "upper", "lower"):
            raise KeyError(key)
        deprecated("result.step_error()[name] (a dict)", f"result.step_error().{key}")
        return getattr(self, key)
