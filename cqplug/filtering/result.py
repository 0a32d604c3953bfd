"""What the hybrid filter returns: the conditioned quantum state along a recorded path, and its likelihood."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import CQPlugError
from ..results.result import _plain, check_output_path, write_json

LOGLIKELIHOOD = "loglikelihood"  # the observable name of the running log-likelihood in to_result()


@dataclass(eq=False)
class FilterResult:
    """The filter's output on the record's grid ``times`` (T,).

    ``z`` (T, 2n) the recorded path (variables ``z_names``); ``conditioned`` {observable: (T,)} the
    conditioned values f_k(z_t) Tr(B_k rho_t) of the model's observables (:meth:`mean`); ``states``
    (T, d, d) the conditioned density matrices rho_t (the model's basis); ``increments`` (T,) the
    log-likelihood increments (the first: the log density of z_0 under the initial state);
    ``info``: model, parameters, method, dt, tolerance and the classical flow used.
    """

    times: np.ndarray
    z: np.ndarray
    z_names: tuple
    conditioned: dict
    states: np.ndarray
    increments: np.ndarray
    info: dict = field(default_factory=dict)

    def mean(self, name: str) -> np.ndarray:
        """The conditioned expectation of observable ``name`` at every time of the record."""
        if name not in self.conditioned:
            raise CQPlugError(f"no observable {name!r} in this filter result; it has {', '.join(self.conditioned)}")
        return self.conditioned[name]

    @property
    def rho(self) -> np.ndarray:
        """The conditioned density matrix at the record's last time."""
        return self.states[-1]

    @property
    def loglikelihood(self) -> float:
        """log p(path | model, parameters): the sum of the increments."""
        return float(np.sum(self.increments))

    def __repr__(self) -> str:
        return (f"FilterResult({self.info.get('model', '?')}, {len(self.times)} times, "
                f"log-likelihood {self.loglikelihood:.6g})")

    def summary(self) -> str:
        """A few lines: the record, the final conditioned values, the log-likelihood."""
        lines = [f"filtered {self.info.get('model', '?')} {self.info.get('parameters', {})} on a record of "
                 f"{len(self.times)} times, t = {self.times[0]:g}..{self.times[-1]:g}, "
                 f"dt = {self.info.get('dt', 0):.4g} "
                 f"(classical flow: {self.info.get('flow', '?')})"]
        lines += [f"  {name:>10s}(t_final) = {values[-1]: .6f}" for name, values in self.conditioned.items()]
        lines.append(f"  log-likelihood = {self.loglikelihood:.6f}")
        return "\n".join(lines)

    # -- as a Result (scans, plots) ----------------------------------------------------------------
    def to_result(self, problem):
        """A deterministic :class:`~cqplug.results.result.Result` of ``problem`` (the one filtered) on the
        record's times: the conditioned values, and the running log-likelihood as the observable
        ``loglikelihood``."""
        from ..results.assembly import deterministic_result

        series = dict(self.conditioned) | {LOGLIKELIHOOD: np.cumsum(self.increments)}
        summary = f"the hybrid filter on a recorded path (dt = {self.info.get('dt', 0):.4g})"
        result = deterministic_result(problem, series, {}, {"filter": dict(self.info)}, "filter", summary,
                                      times=self.times)
        result.info = result.info.replace(labels=result.info.labels | {LOGLIKELIHOOD: "log-likelihood"})
        return result

    # -- files ---------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return _plain({"times": self.times, "z": self.z, "z_names": list(self.z_names),
                       "conditioned": self.conditioned, "states_real": self.states.real,
                       "states_imag": self.states.imag, "increments": self.increments,
                       "loglikelihood": self.loglikelihood, "info": self.info})

    @classmethod
    def from_dict(cls, data: dict, source: str = "the data") -> FilterResult:
        try:
            return cls(np.asarray(data["times"], float), np.asarray(data["z"], float), tuple(data["z_names"]),
                       {k: np.asarray(v, float) for k, v in data["conditioned"].items()},
                       np.asarray(data["states_real"], float) + 1j * np.asarray(data["states_imag"], float),
                       np.asarray(data["increments"], float), dict(data.get("info", {})))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CQPlugError(f"{source} is not a cqplug filter result ({exc})") from None

    def save(self, path) -> None:
        """Write as JSON (atomically)."""
        path = os.fspath(path)
        check_output_path(path, (".json",))
        write_json(path, self.to_dict())

    @classmethod
    def load(cls, path) -> FilterResult:
        path = os.fspath(path)
        try:
            with open(path) as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CQPlugError(f"cannot read filter result {path!r}: {exc}") from None
        return cls.from_dict(data, repr(path))
