"""Results as ``xarray`` datasets, and NetCDF files (``pip install "cqplug[netcdf]"``: xarray, netCDF4).

A :class:`~cqplug.results.result.Result` becomes (:func:`result_dataset`)::

    <xarray.Dataset>
    Dimensions:  (observable, time[, variable, bin, edge][, path, component])
    Coordinates: time (model units, hbar = 1), observable (names), label (observable: the plot label)
    Data:        mean, stderr         (observable, time)  Monte Carlo mean and standard error
                 bias, bias_stderr    (observable, time)  the step-error estimate (NaN: none made)
                 reference            (observable, time)  exact means, when the result carries them
                 probability          (variable, time, bin) histograms of the classical variables,
                 underflow, overflow  (variable, time)       with bin_edges (variable, edge)
                 path                 (path, observable, time), path_z (path, time, component)
                 record_z             (path, step_time, component): with record=True, z at every step
    Attributes:  the metadata's scalars (model, method, backend, seed, trajectories, dt, ...),
                 parameter_NAME per model parameter, and cqplug_info: the whole metadata as JSON

so ``ds["mean"].sel(observable="sz")`` is ⟨σ_z⟩(t). A :class:`~cqplug.results.scan.Scan`
(:func:`scan_dataset`) has the same mean/stderr/bias/bias_stderr with one leading dimension per
scanned parameter (NaN at points without a result, whose reason is in ``error``).

``Result.save("run.nc")`` writes the result's dataset as NetCDF-4 and ``Result.load("run.nc")``
reads it back to an equal Result. xarray and netCDF4 are imported on first use.
"""

from __future__ import annotations

import json

import numpy as np

from ..errors import CQPlugError
from .metadata import RunInfo

EXTRA = 'pip install "cqplug[netcdf]"'
OBSERVABLE_FIELDS = ("mean", "stderr", "bias", "bias_stderr")


def require_xarray():
    """The xarray module, or a one-line error naming the extra."""
    try:
        import xarray
    except ImportError:
        raise CQPlugError(f"datasets and .nc files need xarray: {EXTRA}") from None
    return xarray


def require_netcdf():
    """The xarray module, once the NetCDF library it writes with (netCDF4) is known to be there; else a
    one-line error naming the extra (checked before a run whose output is .nc)."""
    xarray = require_xarray()
    try:
        import netCDF4  # noqa: F401
    except ImportError:
        raise CQPlugError(f".nc files need the netCDF4 library: {EXTRA}") from None
    return xarray


def _attributes(flat: dict) -> dict:
    """NetCDF-safe attributes: the scalar entries (booleans as 0/1), parameters as parameter_NAME,
    and the whole metadata as JSON in ``cqplug_info``."""
    from .result import _plain

    attrs = {}
    for key, value in flat.items():
        if isinstance(value, bool):
            attrs[key] = int(value)
        elif isinstance(value, (str, int, float)) and not (isinstance(value, float) and not np.isfinite(value)):
            attrs[key] = value
    for name, value in flat.get("parameters", {}).items():
        attrs[f"parameter_{name}"] = float(value)
    attrs["cqplug_info"] = json.dumps(_plain(flat), allow_nan=False)
    return attrs


def _stack(entries: dict, names: list, key: str, length: int) -> np.ndarray:
    """(observable, time) of ``entries[name][key]``, NaN where an observable has none."""
    out = np.full((len(names), length), np.nan)
    for k, name in enumerate(names):
        if key in entries.get(name, {}):
            out[k] = entries[name][key]
    return out


def result_dataset(result):
    """The ``xarray.Dataset`` of ``result`` (layout in the module docstring)."""
    xr = require_xarray()
    names = list(result.observables)
    times = np.asarray(result.times, dtype=float)
    labels = [result.info.labels.get(n, f"⟨{n}⟩") for n in names]
    coords = {"time": ("time", times, {"units": "the model's time unit (hbar = 1)"}),
              "observable": ("observable", names), "label": ("observable", labels)}
    data = {key: (("observable", "time"), _stack(result.observables, names, key, len(times)))
            for key in OBSERVABLE_FIELDS}
    if result.reference:
        data["reference"] = (("observable", "time"),
                             _stack({k: {"mean": v} for k, v in result.reference.items()}, names, "mean", len(times)))
    if result.histograms:
        variables = list(result.histograms)
        bins = {len(h["probability"][0]) for h in result.histograms.values()}
        if len(bins) != 1:
            raise CQPlugError(f"histograms with different bin counts ({sorted(bins)}) do not fit one dataset")
        coords["variable"] = ("variable", variables)
        hist = [result.histograms[v] for v in variables]
        data["probability"] = (("variable", "time", "bin"), np.array([h["probability"] for h in hist], dtype=float))
        data["underflow"] = (("variable", "time"), np.array([h["underflow"] for h in hist], dtype=float))
        data["overflow"] = (("variable", "time"), np.array([h["overflow"] for h in hist], dtype=float))
        data["bin_edges"] = (("variable", "edge"), np.array([h["edges"] for h in hist], dtype=float))
        data["histogram_trajectories"] = (("variable",), np.array([float(h["trajectories"]) for h in hist]))
    paths = result.sample_paths
    if paths and "z" in paths and len(paths["z"]):
        data["path_z"] = (("path", "time", "component"), np.asarray(paths["z"], dtype=float))
        data["path"] = (("path", "observable", "time"),
                        np.stack([np.asarray(paths[n], dtype=float) for n in names], axis=1))
    if "record_z" in paths:  # the classical paths at every step (record=True)
        coords["step_time"] = ("step_time", np.asarray(paths["record_times"], dtype=float))
        data["record_z"] = (("path", "step_time", "component"), np.asarray(paths["record_z"], dtype=float))
    return xr.Dataset(data, coords=coords, attrs=_attributes(result.info.to_dict()))


def result_from_dataset(ds, source: str = "the dataset"):
    """The Result a dataset of :func:`result_dataset` holds (the inverse of ``Result.to_xarray``)."""
    from .result import Result

    if "cqplug_info" not in ds.attrs or "mean" not in ds:
        raise CQPlugError(f"{source} is not a cqplug result (no cqplug_info attribute or mean variable)")
    names = [str(n) for n in ds["observable"].values]
    observables = {}
    for k, name in enumerate(names):
        entry = {}
        for key in OBSERVABLE_FIELDS:
            row = np.asarray(ds[key].values[k], dtype=float)
            if key in ("mean", "stderr") or not np.all(np.isnan(row)):
                entry[key] = row
        observables[name] = entry
    reference = {}
    if "reference" in ds:
        reference = {n: np.asarray(ds["reference"].values[k], dtype=float) for k, n in enumerate(names)
                     if not np.all(np.isnan(ds["reference"].values[k]))}
    histograms = {}
    if "probability" in ds:
        for k, variable in enumerate(str(v) for v in ds["variable"].values):
            histograms[variable] = {"edges": ds["bin_edges"].values[k], "probability": ds["probability"].values[k],
                                    "underflow": ds["underflow"].values[k], "overflow": ds["overflow"].values[k],
                                    "trajectories": ds["histogram_trajectories"].values[k]}
    paths = {}
    if "path_z" in ds:
        paths["z"] = ds["path_z"].values
        paths.update({n: ds["path"].values[:, k, :] for k, n in enumerate(names)})
    if "record_z" in ds:
        paths["record_times"] = np.asarray(ds["step_time"].values, dtype=float)
        paths["record_z"] = ds["record_z"].values
    info = RunInfo.from_dict(json.loads(ds.attrs["cqplug_info"]))
    return Result(np.asarray(ds["time"].values, dtype=float), observables, histograms, paths, info, reference)


def scan_dataset(scan):
    """The ``xarray.Dataset`` of a scan: mean/stderr/bias/bias_stderr over (parameters..., observable,
    time), NaN where a point has no result; ``error`` (parameters...) says why ('' where solved)."""
    xr = require_xarray()
    solved = [r for r in scan.results if r is not None]
    if not solved:
        raise CQPlugError("this scan has no solved point: nothing to put in a dataset")
    names = list(solved[0].observables)
    times = np.asarray(solved[0].times, dtype=float)
    dims = (*scan.grid, "observable", "time")
    data = {}
    for key in OBSERVABLE_FIELDS:
        values = np.full((len(scan.points), len(names), len(times)), np.nan)
        for i, r in enumerate(scan.results):
            if r is not None:
                values[i] = _stack(r.observables, names, key, len(times))
        data[key] = (dims, values.reshape(*scan.shape, len(names), len(times)))
    data["error"] = (tuple(scan.grid), np.array([e or "" for e in scan.errors], dtype=object).reshape(scan.shape))
    coords = {k: (k, np.asarray(v, dtype=float)) for k, v in scan.grid.items()}
    coords |= {"observable": ("observable", names), "time": ("time", times, {"units": "the model's time unit"})}
    return xr.Dataset(data, coords=coords, attrs=_attributes(scan.info.to_dict()))


def write_netcdf(result, path: str) -> None:
    """Write ``result``'s dataset to ``path`` as NetCDF-4, atomically."""
    from .result import replace_atomically

    require_netcdf()
    ds = result_dataset(result)
    replace_atomically(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4"))


def read_netcdf(path: str):
    """The Result saved in the NetCDF file ``path``."""
    xr = require_netcdf()
    with xr.open_dataset(path, engine="netcdf4") as ds:
        return result_from_dataset(ds.load(), repr(path))
