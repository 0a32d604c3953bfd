"""Results: saved times, per-observable mean, standard error and step error, histograms, sample
paths, metadata.

Save as JSON (``.json``; standard JSON, readable anywhere: non-finite numbers are written as
``null``) or NumPy archive (``.npz``; compact for large histograms). JSON layout::

    {"times": [...],
     "observables": {"q": {"mean": [...], "stderr": [...], "bias": [...], "bias_stderr": [...]}, ...},
     "histograms": {"q": {"edges": [...], "probability": [[...] per time], "underflow": [...],
                          "overflow": [...], "trajectories": N}, ...},
     "sample_paths": {"z": [[[...]]], "q": [[...]], ...,
                      "record_times": [...], "record_z": [[[...]]]},   (with record=True: every step)
     "reference": {"q": [...], ...},      (exact means, when solved with a reference)
     "info": {"model": ..., "parameters": {...}, "method": ..., "backend": ..., "kind": "trajectories",
              "summary": ..., "seed": ..., "trajectories": ..., "partial": false, "dt": ..., ...}}

``info`` is a :class:`~cqplug.results.metadata.RunInfo` (read by attribute: ``result.info.seed``);
the file holds its flat form. A ``.nc`` file (NetCDF, ``pip install "cqplug[netcdf]"``) holds the
:meth:`Result.to_xarray` dataset (:mod:`cqplug.results.datasets`).

``stderr`` is the Monte Carlo standard error; ``bias`` the estimated step (time-discretisation)
error of the mean with its own standard error ``bias_stderr`` (see
:mod:`cqplug.results.statistics`); both are 0 for a deterministic result (an exact reference).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np

from ..errors import CQPlugError
from .metadata import RunInfo

RESULT_KEYS = ("times", "observables")
SAVED_AS = (".json", ".npz", ".nc")  # the file types a result is written to (by suffix)


def _renamed_square(name: str, observables) -> str:
    """cqplug 0.3 names <q1^2> ``q1^2`` (before: ``q12``, which a variable q12 could also be): the old
    name still finds it, with a DeprecationWarning, where it is not itself an observable."""
    if name in observables or len(name) < 3 or not name.endswith("2") or not name[-2].isdigit():
        return name
    new = f"{name[:-1]}^2"
    if new in observables:
        from ..deprecation import deprecated

        deprecated(f"the observable name {name!r}", f"{new!r}")
        return new
    return name


@dataclass
class Result:
    times: np.ndarray
    observables: dict
    histograms: dict = field(default_factory=dict)
    sample_paths: dict = field(default_factory=dict)
    info: RunInfo = field(default_factory=RunInfo)
    reference: dict = field(default_factory=dict)  # exact means {name: array} on the same times

    def __post_init__(self):
        if not isinstance(self.info, RunInfo):  # the flat dict of cqplug 0.2 (and of the file form)
            self.info = RunInfo.from_dict(dict(self.info))

    def mean(self, name: str) -> np.ndarray:
        return self._get(name, "mean")

    @property
    def records(self) -> list:
        """The sample trajectories' classical paths at every time step (:class:`~cqplug.results.records.Record`,
        in the order of ``sample_paths``), kept by ``solve(..., record=True)``; empty otherwise."""
        from .records import Record

        if "record_z" not in self.sample_paths:
            return []
        about = {"model": self.info.model, "parameters": dict(self.info.parameters or {}), "seed": self.info.seed}
        return [Record(np.asarray(self.sample_paths["record_times"], dtype=float), np.asarray(z, dtype=float),
                       self.info.variables, about) for z in self.sample_paths["record_z"]]

    def stderr(self, name: str) -> np.ndarray:
        return self._get(name, "stderr")

    def bias(self, name: str) -> np.ndarray:
        """Estimated step error of the mean (zeros where the run estimated none)."""
        return self._get(name, "bias", default=True)

    def bias_stderr(self, name: str) -> np.ndarray:
        return self._get(name, "bias_stderr", default=True)

    def _get(self, name, key, default=False):
        name = _renamed_square(name, self.observables)
        if name not in self.observables:
            raise KeyError(f"no observable {name!r} in this result; it has {', '.join(self.observables)}")
        entry = self.observables[name]
        if key not in entry and default:
            return np.zeros_like(entry["mean"])
        return entry[key]

    def _repr_html_(self) -> str:
        """A notebook's view: the means ± standard errors at a few times, the step error, the verdict."""
        from ..views import result_html

        return result_html(self)

    def __repr__(self) -> str:
        """One line (a notebook shows a Result without dumping its arrays); ``summary()`` is the table."""
        info = self.info
        runs = f"{info.trajectories} trajectories, " if info.trajectories is not None else ""
        return (f"Result(model={info.model!r}, method={info.method!r}, {runs}"
                f"{len(self.observables)} observables at {len(self.times)} times to t = {self.times[-1]:g}"
                + (", partial" if self.partial else "") + (", with reference" if self.reference else "") + ")")

    @property
    def partial(self) -> bool:
        """True when the run was interrupted: the statistics cover only the finished blocks."""
        return self.info.partial

    # -- step error ------------------------------------------------------------------------------
    def step_error(self):
        """The step error against the statistical error, worst over observables and saved times, as a
        :class:`cqplug.results.step_error.StepError` (``estimate``, ``upper``, ``lower`` in standard errors;
        ``verdict``; ``str()`` is the sentence ``cqplug run`` prints), or None when the run has no
        step-error estimate."""
        from .step_error import StepError

        estimate, upper, lower = 0.0, 0.0, -np.inf
        any_estimate = False
        for entry in self.observables.values():
            if "bias" not in entry or not np.any(entry["bias_stderr"]):
                continue
            any_estimate = True
            err = np.asarray(entry["stderr"])
            ok = err > 1e-12 * (1.0 + np.abs(entry["mean"]))
            if not np.any(ok):
                continue
            bias, noise = np.abs(entry["bias"])[ok], np.asarray(entry["bias_stderr"])[ok]
            estimate = max(estimate, float(np.max(bias / err[ok])))
            upper = max(upper, float(np.max((bias + 2 * noise) / err[ok])))
            lower = max(lower, float(np.max((bias - 2 * noise) / err[ok])))
        if not any_estimate:
            return None
        return StepError(estimate, upper, lower, self.info.dt if self.info.dt is not None else np.nan)

    def suggested_dt(self, margin: float = 0.5) -> float | None:
        """A dt whose step error would be about ``margin`` times the statistical error, assuming
        only that it decreases as dt (conservative), or None without a step-error estimate."""
        found = self.step_error()
        return found.suggested_dt(margin) if found and self.info.dt else None

    # -- persistence -----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return _plain({"times": self.times, "observables": self.observables, "histograms": self.histograms,
                       "sample_paths": self.sample_paths, "info": self.info.to_dict(),
                       "reference": self.reference})

    @classmethod
    def from_dict(cls, data: dict, source: str = "the data") -> Result:
        if not isinstance(data, dict) or not all(k in data for k in RESULT_KEYS):
            raise CQPlugError(f"{source} is not a cqplug result (expected the keys {', '.join(RESULT_KEYS)})")
        try:
            return cls(_floats(data["times"]), _arrays(data["observables"]), _arrays(data.get("histograms", {})),
                       _arrays(data.get("sample_paths", {})), RunInfo.from_dict(dict(data.get("info", {}))),
                       _arrays(data.get("reference", {})))
        except (TypeError, ValueError, AttributeError) as exc:
            raise CQPlugError(f"{source} is not a valid cqplug result: {exc}") from None

    def save(self, path) -> None:
        """Write atomically to ``path``: ``.json`` (the default everywhere), ``.npz`` or ``.nc``
        (NetCDF through xarray: ``pip install "cqplug[netcdf]"``); a failed write leaves no partial file."""
        path = os.fspath(path)
        check_output_path(path, SAVED_AS)
        suffix = os.path.splitext(path)[1].lower()
        if suffix == ".nc":
            from .datasets import write_netcdf

            return write_netcdf(self, path)
        if suffix == ".json":
            return write_json(path, self.to_dict())

        def write(fh):
            flat = {"info": np.array(json.dumps(_plain(self.info.to_dict()), allow_nan=False)), "times": self.times}
            for group in ("observables", "histograms", "sample_paths", "reference"):
                for key, value in _flatten(getattr(self, group)).items():
                    flat[f"{group}/{key}"] = value
            np.savez_compressed(fh, **flat)

        write_atomically(path, write)

    @classmethod
    def load(cls, path) -> Result:
        """Read a result saved with :meth:`save`; a file that is not one gives a one-line CQPlugError
        (:func:`cqplug.load` reads results and scans alike)."""
        from .files import load

        return load(path, expect=cls)

    def to_xarray(self):
        """An ``xarray.Dataset`` (dimensions ``observable``, ``time`` and, for histograms, ``bin``;
        attributes the metadata): see :func:`cqplug.results.datasets.result_dataset`. Needs
        ``pip install "cqplug[netcdf]"`` (xarray)."""
        from .datasets import result_dataset

        return result_dataset(self)

    # -- text ------------------------------------------------------------------------------------
    def summary(self, names=None, columns: int = 5) -> str:
        """A table: one row per observable, mean ± standard error at a few saved times, all rows
        in the same format (times in the model's units, hbar = 1)."""
        names = list(names or self.observables)
        idx = np.unique(np.linspace(0, len(self.times) - 1, columns).round().astype(int))
        width = max([6] + [len(n) for n in names])
        lines = [f"{'t':>{width}} " + " ".join(f"{self.times[i]:>20.4g}" for i in idx)]
        for n in names:
            cells = [format_value(self.mean(n)[i], self.stderr(n)[i]) for i in idx]
            lines.append(f"{n:>{width}} " + " ".join(f"{c:>20}" for c in cells))
        return "\n".join(lines)


def format_value(mean: float, stderr: float) -> str:
    """'mean ± stderr' with the mean to the stderr's second significant digit (fixed 6 digits when exact)."""
    if not np.isfinite(mean):
        return "nan"
    if not stderr > 1e-12 * (1.0 + abs(mean)):  # rounding, not statistics: every trajectory agreed
        mean = 0.0 if abs(mean) < 5e-7 else mean
        return f"{mean:.6f} ± 0"
    digits = max(0, min(10, 1 - math.floor(math.log10(stderr))))
    return f"{mean:.{digits}f} ± {stderr:.1e}"


def check_output_path(path: str, suffixes) -> None:
    """Refuse, before any work, an output path whose suffix is unknown or whose directory is
    missing or not writable, or that names a directory."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in suffixes:
        raise CQPlugError(f"cannot save to {path!r}: use a file name ending in {' or '.join(suffixes)}")
    if os.path.isdir(path):
        raise CQPlugError(f"cannot save to {path!r}: it is a directory")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CQPlugError(f"cannot save to {path!r}: the directory {directory} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise CQPlugError(f"cannot save to {path!r}: the directory {directory} is not writable")


def write_json(path: str, data, indent: int | None = 1) -> None:
    """Write ``data`` as standard JSON (arrays as lists, non-finite numbers as null) atomically."""
    write_atomically(path, lambda fh: fh.write(json.dumps(_plain(data), indent=indent, allow_nan=False).encode()))


def write_atomically(path: str, write) -> None:
    """Call ``write(binary file)`` on a hidden temporary file beside ``path``, then rename it to
    ``path``: a failed or interrupted write leaves neither a partial result nor the temporary."""

    def write_file(tmp):
        with open(tmp, "wb") as fh:
            write(fh)

    replace_atomically(path, write_file)


def replace_atomically(path: str, write_file) -> None:
    """Call ``write_file(temporary path)`` (a hidden file beside ``path``), then rename the temporary
    to ``path`` with the permissions a new file gets; on any failure remove the temporary."""
    directory, name = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".part")
    os.close(fd)
    try:
        write_file(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make results private
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _plain(x):
    """JSON-ready: arrays to lists, NumPy scalars to Python, non-finite floats to None."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return _plain(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return x if math.isfinite(x) else None
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def _floats(x) -> np.ndarray:
    """A float array from nested lists in which None stands for NaN."""
    array = np.array(x, dtype=object)
    return np.where(array == None, np.nan, array).astype(float)  # noqa: E711 (elementwise)


def _arrays(tree):
    if not isinstance(tree, dict):
        raise TypeError(f"expected a mapping, got {type(tree).__name__}")
    return {k: _arrays(v) if isinstance(v, dict) else _floats(v) for k, v in tree.items()}


def _flatten(tree: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in tree.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}/"))
        else:
            out[f"{prefix}{k}"] = np.asarray(v)
    return out
