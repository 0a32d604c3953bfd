"""Classical records: a trajectory's phase-space path at every time step, and their files.

``cqplug.solve(..., record=True)`` keeps, for each sample trajectory, its classical path on the
uniform step grid t_k = t_0 + k dt as a :class:`Record` (``result.records``, in the order of
``result.sample_paths``). A record is what an experiment would see of a run: the hybrid filter
(:func:`cqplug.filter`) takes one and returns the quantum state conditioned on it.

Files (:func:`save_records`, :func:`load_records`; ``cqplug run --record FILE``):

* ``.npz``: ``times`` (T,), ``z`` (paths, T, 2n), ``z_names`` and ``about`` (JSON: model, parameters, seed);
* ``.csv``: a first line ``# cqplug records: {JSON about}``, then a header ``path,t,q,p,...`` and one row
  per path and time.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import CQPlugError

RECORD_SUFFIXES = (".npz", ".csv")
_CSV_MARK = "# cqplug records: "


@dataclass(frozen=True, eq=False)
class Record:
    """One classical path: ``times`` (T,) on a uniform grid, ``z`` (T, 2n) with columns ``z_names``
    (q_1..q_n, p_1..p_n in the model's names); ``about``: the run it came from (model, parameters, seed)."""

    times: np.ndarray
    z: np.ndarray
    z_names: tuple
    about: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"Record({len(self.times)} times from {self.times[0]:g} to {self.times[-1]:g}, "
                f"variables {', '.join(self.z_names)})")


def save_records(records: list, path) -> Path:
    """Write ``records`` (sharing one time grid) to ``path`` (.npz or .csv), atomically."""
    from .result import check_output_path, write_atomically

    path = os.fspath(path)
    check_output_path(path, RECORD_SUFFIXES)
    if not records:
        raise CQPlugError("no records to save: run with record=True (cqplug run --record FILE) and n_paths >= 1")
    times, names, about = records[0].times, records[0].z_names, records[0].about
    z = np.stack([r.z for r in records])

    def write(handle):
        if path.lower().endswith(".npz"):
            np.savez_compressed(handle, times=times, z=z, z_names=np.array(names), about=json.dumps(about))
            return
        text = io.TextIOWrapper(handle, newline="", encoding="utf-8")
        text.write(_CSV_MARK + json.dumps(about) + "\n")
        writer = csv.writer(text)
        writer.writerow(["path", "t", *names])
        for k, path_z in enumerate(z):
            for t, row in zip(times, path_z):
                writer.writerow([k, repr(float(t)), *(repr(float(v)) for v in row)])
        text.detach()  # flushed; the binary handle is closed by its owner

    write_atomically(path, write)
    return Path(path)


def load_records(path) -> list:
    """The records in a file written by :func:`save_records` (or any CSV with columns path, t and the
    phase-space variables, one row per path and time)."""
    path = Path(path)
    if not path.is_file():
        raise CQPlugError(f"records file {str(path)!r} does not exist")
    if path.suffix.lower() == ".npz":
        try:
            with np.load(path, allow_pickle=False) as data:
                times, z, names = data["times"], data["z"], tuple(str(n) for n in data["z_names"])
                about = json.loads(str(data["about"])) if "about" in data else {}
        except (KeyError, ValueError, OSError) as exc:
            raise CQPlugError(f"records file {str(path)!r} is not a cqplug records file ({exc})") from None
        return [Record(times, path_z, names, about) for path_z in z]
    if path.suffix.lower() != ".csv":
        raise CQPlugError(f"records file {str(path)!r}: expected .npz or .csv")
    return _load_csv(path)


def _load_csv(path: Path) -> list:
    with open(path, newline="") as handle:
        lines = handle.read().splitlines()
    about = {}
    if lines and lines[0].startswith(_CSV_MARK):
        about = json.loads(lines[0][len(_CSV_MARK):])
    rows = list(csv.reader(line for line in lines if line and not line.startswith("#")))
    if not rows or rows[0][:2] != ["path", "t"] or len(rows[0]) < 3:
        raise CQPlugError(f"records file {str(path)!r}: expected a header 'path,t,<variables...>'")
    names = tuple(rows[0][2:])
    try:
        table = np.array([[float(v) for v in row] for row in rows[1:]], dtype=float).reshape(-1, len(rows[0]))
    except ValueError as exc:
        raise CQPlugError(f"records file {str(path)!r}: {exc}") from None
    records = []
    for label in dict.fromkeys(table[:, 0]):
        part = table[table[:, 0] == label]
        records.append(Record(part[:, 1].copy(), part[:, 2:].copy(), names, about))
    return records
