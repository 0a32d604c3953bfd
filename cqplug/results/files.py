"""Reading a cqplug file: :func:`load` decides what it holds (a result or a scan) and reads it.

    cqplug.load("run.json")     # a Result (.json, .npz or .nc) or a Scan (.json)

``.nc`` is NetCDF (the :meth:`~cqplug.results.result.Result.to_xarray` dataset; ``pip install
"cqplug[netcdf]"``), ``.npz`` a NumPy archive of a result, anything else JSON; a JSON object with
``grid`` and ``points`` is a scan, one with ``times`` and ``observables`` a result. A file that is
none of these, is truncated, or is missing gives a one-line :class:`~cqplug.errors.CQPlugError`.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from ..errors import CQPlugError

READABLE = (".json", ".npz", ".nc")


def load(path, expect=None):
    """The Result or Scan saved in ``path``; ``expect`` (Result or Scan): refuse the other kind, saying
    how to read it."""
    from .result import Result
    from .scan import Scan

    path = os.fspath(path)
    what = {Result: "result", Scan: "scan"}.get(expect, "result")
    try:
        suffix = os.path.splitext(path)[1].lower()
        if suffix == ".nc":
            from .datasets import read_netcdf

            found = read_netcdf(path)
        elif suffix == ".npz":
            found = Result.from_dict(_read_npz(path), repr(path))
        else:
            with open(path) as fh:
                found = from_data(json.load(fh), repr(path))
    except CQPlugError:
        raise
    except FileNotFoundError:
        raise CQPlugError(f"cannot read {what} {path!r}: no such file") from None
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise CQPlugError(f"cannot read {what} {path!r}: not a complete {'/'.join(READABLE)} {what} "
                          f"(truncated or foreign file: {type(exc).__name__})") from None
    except OSError as exc:
        raise CQPlugError(f"cannot read {what} {path!r}: {exc.strerror or exc}") from None
    if expect is Result and isinstance(found, Scan):
        raise CQPlugError(f"{path!r} is a parameter scan, not a single result: load it with cqplug.Scan.load or "
                          "cqplug.load (cqplug plot draws scans too)")
    if expect is Scan and isinstance(found, Result):
        raise CQPlugError(f"{path!r} is a single result, not a scan: load it with cqplug.Result.load or cqplug.load")
    return found


def from_data(data, source: str):
    """A Scan or a Result from the JSON object ``data`` (read from ``source``, named in errors)."""
    from .result import RESULT_KEYS, Result
    from .scan import SCAN_KEYS, Scan

    if isinstance(data, dict) and all(k in data for k in SCAN_KEYS):
        try:
            return Scan.from_dict(data, source)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise CQPlugError(f"{source} is not a valid cqplug scan: {exc}") from None
    if isinstance(data, dict) and all(k in data for k in RESULT_KEYS):
        return Result.from_dict(data, source)
    raise CQPlugError(f"{source} is not a cqplug result or scan (a result has the keys {', '.join(RESULT_KEYS)}; "
                      f"a scan {', '.join(SCAN_KEYS)})")


def _read_npz(path: str) -> dict:
    """The nested dict of a result saved as .npz (groups flattened as "group/name/key")."""
    with np.load(path, allow_pickle=False) as z:
        if "times" not in z.files or "info" not in z.files:
            raise CQPlugError(f"{path!r} is not a cqplug result (an .npz without 'times' and 'info')")
        data = {"times": z["times"], "info": json.loads(str(z["info"]))}
        for key in z.files:
            if "/" in key:
                node = data
                *parents, leaf = key.split("/")
                for p in parents:
                    node = node.setdefault(p, {})
                node[leaf] = z[key]
    return data
