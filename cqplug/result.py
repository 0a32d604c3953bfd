"""Results: saved times, per-observable mean and standard error, histograms, sample paths, metadata.

Save as JSON (``.json``; readable anywhere) or NumPy archive (``.npz``; compact for large
histograms). JSON layout::

    {"times": [...],
     "observables": {"q": {"mean": [...], "stderr": [...]}, ...},
     "histograms": {"q": {"edges": [...], "probability": [[...] per time], "underflow": [...],
                          "overflow": [...], "trajectories": N}, ...},
     "sample_paths": {"z": [[[...]]], "q": [[...]], ...},
     "reference": {"q": [...], ...},      (exact means, when solved with a reference)
     "info": {"model": ..., "parameters": {...}, "method": ..., "backend": ..., "seed": ...,
              "trajectories": ..., "partial": false, "version": ..., ...}}

``stderr`` is 0 for the deterministic reference (method ``lindblad``).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np

from .errors import CQPlugError


@dataclass
class Result:
    times: np.ndarray
    observables: dict
    histograms: dict = field(default_factory=dict)
    sample_paths: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    reference: dict = field(default_factory=dict)  # exact means {name: array} on the same times

    def mean(self, name: str) -> np.ndarray:
        return self.observables[name]["mean"]

    def stderr(self, name: str) -> np.ndarray:
        return self.observables[name]["stderr"]

    @property
    def partial(self) -> bool:
        """True when the run was interrupted: the statistics cover only the finished chunks."""
        return bool(self.info.get("partial", False))

    # -- persistence --------------------------------------------------------------------------
    def to_dict(self) -> dict:
        def plain(x):
            if isinstance(x, dict):
                return {k: plain(v) for k, v in x.items()}
            if isinstance(x, np.ndarray):
                return x.tolist()
            if isinstance(x, (np.floating, np.integer)):
                return x.item()
            return x

        return plain({"times": self.times, "observables": self.observables, "histograms": self.histograms,
                      "sample_paths": self.sample_paths, "info": self.info, "reference": self.reference})

    @classmethod
    def from_dict(cls, data: dict) -> "Result":
        def arrays(x):
            return {k: arrays(v) for k, v in x.items()} if isinstance(x, dict) else np.asarray(x, dtype=float)

        return cls(np.asarray(data["times"], float), arrays(data["observables"]),
                   arrays(data.get("histograms", {})), arrays(data.get("sample_paths", {})), data.get("info", {}),
                   arrays(data.get("reference", {})))

    def save(self, path) -> None:
        """Write atomically to ``path`` (.json or .npz): a failed write leaves no partial file."""
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lower()
        if suffix not in (".json", ".npz"):
            raise CQPlugError(f"cannot save to {path!r}: use a .json or .npz file name")

        def write(fh):
            if suffix == ".json":
                fh.write(json.dumps(self.to_dict(), indent=1).encode())
                return
            flat = {"info": np.array(json.dumps(self.info)), "times": self.times}
            for group in ("observables", "histograms", "sample_paths", "reference"):
                for key, value in _flatten(getattr(self, group)).items():
                    flat[f"{group}/{key}"] = value
            np.savez_compressed(fh, **flat)

        write_atomically(path, write)

    @classmethod
    def load(cls, path) -> "Result":
        path = os.fspath(path)
        if path.lower().endswith(".npz"):
            with np.load(path) as z:
                data = {"times": z["times"], "info": json.loads(str(z["info"]))}
                for key in z.files:
                    if "/" in key:
                        node = data
                        *parents, leaf = key.split("/")
                        for p in parents:
                            node = node.setdefault(p, {})
                        node[leaf] = z[key]
            return cls.from_dict(data)
        with open(path) as fh:
            return cls.from_dict(json.load(fh))

    def summary(self, names=None, columns: int = 5) -> str:
        """A table: one row per observable, mean ± standard error at a few saved times."""
        names = list(names or self.observables)
        idx = np.unique(np.linspace(0, len(self.times) - 1, columns).round().astype(int))
        lines = [f"{'t =':>8} " + " ".join(f"{self.times[i]:>20.4g}" for i in idx)]
        for n in names:
            cells = []
            for i in idx:
                m, s = self.mean(n)[i], self.stderr(n)[i]
                cells.append(f"{m:>10.4f} ± {s:<7.1e}" if s > 0 else f"{m:>20.6f}")
            lines.append(f"{n:>8} " + " ".join(cells))
        return "\n".join(lines)


def write_atomically(path: str, write) -> None:
    """Call ``write(binary file)`` on a temporary file beside ``path``, then rename it to ``path``:
    a failed or interrupted write leaves no partial file."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=os.path.splitext(path)[1])
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make results private
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _flatten(tree: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in tree.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}/"))
        else:
            out[f"{prefix}{k}"] = np.asarray(v)
    return out
