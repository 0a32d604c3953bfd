"""A parameter scan's results: :class:`Scan`, one :class:`~cqplug.results.result.Result` per grid point.

    scan.table("q2")                 # final-time <q^2> on the grid, NaN where a point has no result
    scan.to_xarray()                 # an xarray.Dataset with one dimension per scanned parameter
    scan.save("scan.json"); cqplug.load("scan.json")

Running a scan is :func:`cqplug.scan` (:mod:`cqplug.solving.scan`); this module only holds and files
what it produced.
"""

from __future__ import annotations

import os

import numpy as np

from .metadata import ScanInfo
from .result import Result, check_output_path, write_json

SCAN_KEYS = ("grid", "points", "results", "errors", "info")


class Scan:
    """Results over a grid: ``grid`` {name: values}, ``points`` (one dict per grid point, C order),
    ``results`` (Result or None), ``errors`` (None or why the point has no complete result), ``info``
    (a :class:`~cqplug.results.metadata.ScanInfo`)."""

    def __init__(self, grid: dict, points: list, results: list, errors: list, info):
        self.grid, self.points, self.results, self.errors = grid, points, results, errors
        self.info = ScanInfo.from_dict(info)

    @property
    def shape(self) -> tuple:
        return tuple(len(v) for v in self.grid.values())

    def _repr_html_(self) -> str:
        """A notebook's view: each grid point's final-time means."""
        from ..views import scan_html

        return scan_html(self)

    def __repr__(self) -> str:
        grid = ", ".join(f"{k}: {len(v)} values" for k, v in self.grid.items())
        done = sum(r is not None for r in self.results)
        return f"Scan({grid}; {done} of {len(self.points)} points solved" + (", partial" if self.partial else "") + ")"

    @property
    def partial(self) -> bool:
        return self.info.partial

    def table(self, observable: str, time_index: int = -1, what: str = "mean") -> np.ndarray:
        """``what`` ("mean" or "stderr") of an observable at one saved time, shaped like the grid."""
        values = [
            np.nan if r is None or observable not in r.observables else r.observables[observable][what][time_index]
            for r in self.results
        ]
        return np.array(values, dtype=float).reshape(self.shape)

    def to_xarray(self):
        """An ``xarray.Dataset``: dimensions one per scanned parameter, ``observable`` and ``time``
        (see :func:`cqplug.results.datasets.scan_dataset`; needs ``pip install "cqplug[netcdf]"``)."""
        from .datasets import scan_dataset

        return scan_dataset(self)

    def to_dict(self) -> dict:
        return {
            "grid": {k: list(map(float, v)) for k, v in self.grid.items()},
            "points": self.points,
            "results": [None if r is None else r.to_dict() for r in self.results],
            "errors": self.errors,
            "info": self.info.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict, source: str = "the data") -> Scan:
        results = [None if r is None else Result.from_dict(r, source) for r in data["results"]]
        return cls(data["grid"], data["points"], results, data["errors"], data["info"])

    def save(self, path) -> None:
        """Write the whole scan to one .json file (atomically)."""
        path = os.fspath(path)
        check_output_path(path, (".json",))
        write_json(path, self.to_dict(), indent=None)

    @classmethod
    def load(cls, path) -> Scan:
        """Read a scan saved with :meth:`save` (:func:`cqplug.load` reads results and scans alike)."""
        from .files import load

        return load(path, expect=cls)

    def summary(self, observables=None) -> str:
        """One line per point: parameters, then final-time means +- standard errors (or the error)."""
        lines = []
        for point, result, error in zip(self.points, self.results, self.errors):
            head = " ".join(f"{k}={v:g}" for k, v in point.items())
            if result is None:
                lines.append(f"{head}: {error}")
                continue
            names = list(observables or result.observables)[:6]
            cells = " ".join(f"{n}={result.mean(n)[-1]:.4g}±{result.stderr(n)[-1]:.1g}" for n in names)
            lines.append(f"{head}: {cells}" + (f"  [{error}]" if error else ""))
        return "\n".join(lines)
