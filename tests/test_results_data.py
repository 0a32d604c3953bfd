"""Results as data (typed metadata, one loader, xarray and NetCDF) and the plumbing behind them:
the option router (a trajectory method's own Options, end to end), the seed-stream namespace and a
core that names no plugin."""

from __future__ import annotations

import dataclasses
import pathlib
import re
import sys
import warnings
from dataclasses import dataclass

import numpy as np
import pytest

import cqplug
from cqplug import CQPlugError
from cqplug.results.metadata import RunInfo, ScanInfo
from cqplug.solving.methods import TrajectoryMethod
from cqplug.solving.options import option

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small():
    """A short toy run with histograms, sample paths and a step-error estimate."""
    problem = cqplug.Problem("toy", t_final=1.0, save_dt=0.25)
    return cqplug.solve(problem, "cq", trajectories=1024, seed=7, progress=False, bins=12, n_paths=3)


# -- typed metadata -----------------------------------------------------------------------------
@pytest.mark.integration
def test_a_result_records_its_run_as_typed_attributes(small):
    info = small.info
    assert isinstance(info, RunInfo) and info.kind == "trajectories" and not info.deterministic
    assert (info.model, info.method, info.backend, info.seed, info.trajectories) == ("toy", "cq", "cpu", 7, 1024)
    assert info.dt > 0 and info.steps_per_save >= 2 and info.weak_order == 2 and info.step_error is True
    assert info.summary.startswith("1024 trajectories, seed 7, dt = ") and not info.partial
    assert "sampling" in info.details and info.run_seconds > 0
    assert info.step_error_statement == str(small.step_error())  # the verdict, computed from the numbers
    assert set(info.versions) == {"cqplug", "python", "numpy", "scipy", "sympy"}
    with pytest.raises(dataclasses.FrozenInstanceError):  # a result's record is not rewritten in place
        info.seed = 3


@pytest.mark.unit
def test_the_file_form_is_flat_and_the_old_dict_access_warns_once():
    old = {"model": "toy", "method": "cq", "seed": 1, "trajectories": 512, "dt": 0.05, "weak_order": 2,
           "time_step": {"chosen": "automatic", "limited_by": "coupling"}, "sampling": "exact"}
    info = RunInfo.from_dict(old)  # a cqplug 0.2 file: no kind, no summary
    assert info.kind == "trajectories" and info.details == {"sampling": "exact"}
    assert info.summary == "512 trajectories, seed 1, dt = 0.05 (automatic, limited by the coupling), weak order 2"
    assert {k: v for k, v in info.to_dict().items() if k in old} == old
    assert RunInfo.from_dict({"model": "toy", "truncation": 30}).deterministic  # no trajectory count
    with pytest.warns(DeprecationWarning, match=r"info\.NAME"):
        assert info["trajectories"] == 512 and info.get("sampling") == "exact" and "seed" in info
        assert dict(info) == info.to_dict() and dict(info.items()) == info.to_dict() and "seed" in list(info)
    with pytest.warns(DeprecationWarning, match=r"info\.replace"):
        info["seed"], info["note"] = 5, "kept"  # what a 0.2 plugin might write
    assert info.seed == 5 and info.details["note"] == "kept"
    with pytest.raises(ValueError, match="kind"):
        RunInfo(kind="approximate")
    assert ScanInfo.from_dict({"model": "toy", "seed": 3, "extra": 1}).details == {"extra": 1}


# -- one loader, scans in results ---------------------------------------------------------------
@pytest.mark.unit
def test_results_import_nothing_from_solving_and_the_old_scan_path_warns():
    for path in (ROOT / "cqplug" / "results").glob("*.py"):
        assert not re.search(r"from \.\.(solving|cli)|cqplug\.(solving|cli)\b.*import", path.read_text()), path
    import cqplug.solving.scan as running

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = running.Scan
    assert old is cqplug.Scan and [w.category for w in caught] == [DeprecationWarning]


@pytest.mark.integration
def test_load_tells_results_from_scans_and_each_loader_points_to_the_other(small, tmp_path):
    problem = cqplug.Problem("toy", t_final=0.5, save_dt=0.25)
    scan = cqplug.scan(problem, {"gamma_q": [0.05, 0.5]}, trajectories=512, seed=2, progress=False)
    small.save(tmp_path / "r.json")
    scan.save(tmp_path / "s.json")
    assert isinstance(cqplug.load(tmp_path / "r.json"), cqplug.Result)
    loaded = cqplug.load(tmp_path / "s.json")
    assert isinstance(loaded, cqplug.Scan) and loaded.info == scan.info and loaded.errors == scan.errors
    with pytest.raises(CQPlugError, match="is a parameter scan"):
        cqplug.Result.load(tmp_path / "s.json")
    with pytest.raises(CQPlugError, match="is a single result"):
        cqplug.Scan.load(tmp_path / "r.json")


# -- xarray and NetCDF --------------------------------------------------------------------------
@pytest.mark.integration
def test_to_xarray_holds_every_number_of_the_result(small):
    ds = small.to_xarray()
    assert set(ds["mean"].dims) == {"observable", "time"} and list(ds["observable"].values) == list(small.observables)
    for name in small.observables:
        for key in ("mean", "stderr", "bias", "bias_stderr"):
            np.testing.assert_array_equal(ds[key].sel(observable=name).values, getattr(small, key)(name))
    q = small.histograms["q"]
    np.testing.assert_array_equal(ds["probability"].sel(variable="q").values, q["probability"])
    np.testing.assert_array_equal(ds["bin_edges"].sel(variable="q").values, q["edges"])
    np.testing.assert_array_equal(ds["path_z"].values, small.sample_paths["z"])
    assert ds.attrs["seed"] == 7 and ds.attrs["trajectories"] == 1024 and ds.attrs["parameter_lam"] == 1.0
    assert ds["label"].sel(observable="sz").item() == small.info.labels["sz"]


@pytest.mark.integration
def test_netcdf_round_trip_gives_an_equal_result(small, tmp_path):
    with_reference = cqplug.Result(small.times, small.observables, small.histograms, small.sample_paths, small.info,
                                   {"q": small.mean("q") + 1.0})
    for result in (small, with_reference):
        result.save(tmp_path / "run.nc")
        loaded = cqplug.Result.load(tmp_path / "run.nc")
        assert loaded.to_dict() == result.to_dict() and loaded.info == result.info
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries left


@pytest.mark.unit
def test_a_foreign_or_truncated_nc_file_is_one_line(tmp_path):
    pytest.importorskip("netCDF4")
    (tmp_path / "x.nc").write_bytes(b"CDF\x01 not really NetCDF")
    with pytest.raises(CQPlugError, match=r"cannot read result .*x\.nc"):
        cqplug.load(tmp_path / "x.nc")
    import xarray as xr

    xr.Dataset({"a": ("t", np.zeros(3))}).to_netcdf(tmp_path / "other.nc")  # NetCDF, but not ours
    with pytest.raises(CQPlugError, match="is not a cqplug result"):
        cqplug.Result.load(tmp_path / "other.nc")


@pytest.mark.integration
def test_a_scan_dataset_has_one_dimension_per_parameter_and_nan_where_refused():
    problem = cqplug.Problem("toy", t_final=0.5, save_dt=0.25)
    scan = cqplug.scan(problem, {"lam": [0.5, 1.0], "gamma_q": [0.1, 0.5]}, trajectories=512, seed=2,
                       progress=False)
    ds = scan.to_xarray()
    assert ds["mean"].dims == ("lam", "gamma_q", "observable", "time")
    # lam = 1, gamma_q = 0.1 violates 16 gamma_c gamma_q >= lam^2 (gamma_c = 0.25): refused, NaN
    assert np.isnan(ds["mean"].sel(lam=1.0, gamma_q=0.1)).all()
    assert "refused" in ds["error"].sel(lam=1.0, gamma_q=0.1).item()
    for point, result in zip(scan.points, scan.results):
        if point != {"lam": 1.0, "gamma_q": 0.1}:
            assert ds["error"].sel(point).item() == ""
            for key in ("mean", "stderr", "bias"):
                np.testing.assert_array_equal(ds[key].sel(point | {"observable": "q2"}).values,
                                              getattr(result, key)("q2"))


@pytest.mark.integration
def test_cli_writes_netcdf_and_plots_it(cli, tmp_path):
    out = tmp_path / "run.nc"
    run = cli("run", "toy", "-n", "512", "--seed", "4", "--t-final", "1", "-q", "-o", out)
    assert run.code == 0, run.err
    loaded = cqplug.load(out)
    assert loaded.info.seed == 4 and loaded.info.trajectories == 512
    plot = cli("plot", out, "--output", tmp_path / "run.png")
    assert plot.code == 0, plot.err
    assert (tmp_path / "run.png").stat().st_size > 10_000


@pytest.mark.unit
def test_netcdf_without_its_library_is_refused_before_any_work(cli, tmp_path, monkeypatch):
    import cqplug.solving.solve as solving

    monkeypatch.setitem(sys.modules, "netCDF4", None)  # as if the extra were not installed
    monkeypatch.setattr(solving, "solve", lambda *a, **k: pytest.fail("work started before the output was checked"))
    run = cli("run", "toy", "-o", tmp_path / "run.nc")
    assert run.code == 2 and 'pip install "cqplug[netcdf]"' in run.err and run.err.strip().count("\n") == 0


# -- the option router: a trajectory method's own options --------------------------------------
@dataclass
class TunedOptions:
    unravelling: str = option("cq", "whose noise terms: cq or mean-field")


class Tuned(TrajectoryMethod):
    """A method whose noise terms an option chooses."""

    Options = TunedOptions

    def terms(self, problem):
        from cqplug.problem.terms import cq_terms, mean_field_terms

        return {"cq": cq_terms, "mean-field": mean_field_terms}[self.options.unravelling](problem)


class _TunedPlugin:
    @cqplug.hookimpl
    def cqplug_register_methods(self, register):
        register("tuned", Tuned)


def _equal(a, b):
    for name in a.observables:
        np.testing.assert_array_equal(a.mean(name), b.mean(name))


@pytest.mark.integration
def test_a_trajectory_methods_options_reach_its_terms_from_python_and_the_command_line(cli, tmp_path, monkeypatch):
    import cqplug.registry as registry

    problem = cqplug.Problem("toy", t_final=1.0)
    common = {"trajectories": 512, "seed": 5, "progress": False}
    tuned = cqplug.solve(problem, Tuned(), unravelling="mean-field", **common)
    _equal(tuned, cqplug.solve(problem, "mean-field", **common))
    assert tuned.info.plugin_options["method"] == {"unravelling": "mean-field"}  # recorded, to reproduce the run
    assert set(tuned.info.plugin_options) == {"method", "backend"}
    _equal(cqplug.solve(problem, Tuned(), **common), cqplug.solve(problem, "cq", **common))
    with pytest.raises(CQPlugError, match=r"unknown option 'unravellng' \(did you mean 'unravelling'\?\)"):
        cqplug.solve(problem, Tuned(), unravellng="cq", **common)

    monkeypatch.setattr(registry, "_registry", registry.build_registry(extra_plugins=[("tuned", _TunedPlugin())]))
    args = ["run", "toy", "--t-final", "1", "-n", "512", "--seed", "5", "-q"]
    assert cli(*args, "--method", "tuned", "-O", "unravelling=mean-field", "-o", tmp_path / "a.json").code == 0
    assert cli(*args, "--method", "mean-field", "-o", tmp_path / "b.json").code == 0
    saved = cqplug.load(tmp_path / "a.json")
    _equal(saved, cqplug.load(tmp_path / "b.json"))
    assert saved.info.plugin_options["method"] == {"unravelling": "mean-field"}
    assert "unravelling (default cq): whose noise terms" in cli(*args, "--method", "tuned", "--help").out


# -- seeds, and a core that names no plugin -----------------------------------------------------
@pytest.mark.unit
def test_the_seed_streams_keep_their_documented_keys():
    """A saved seed must reproduce its numbers: blocks (0, k), pilot (1,), scan points (2, i), levels (3, l),
    checked against NumPy's SeedSequence directly."""
    from cqplug.solving import seeds
    from cqplug.solving.scan import point_seed

    def master(seed, *key):
        return int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1, np.uint64)[0] >> np.uint64(1))

    assert point_seed(11, 3) == seeds.child_seed(11, seeds.SCAN, 3) == master(11, 2, 3)
    assert seeds.child_seed(11, seeds.LEVELS, 3) == master(11, 3, 3) != master(11, 2, 3)
    assert seeds.block_seed(11, 2).spawn_key == (0, 2) and seeds.pilot_seed(11).spawn_key == (1,)


@pytest.mark.unit
def test_the_core_names_no_plugin_but_the_default_backend():
    """Built-in plugins are plugins: nothing under cqplug/ names one (as a string or in prose) except
    the definition of the default backend; what is shown about a reference comes from the method."""
    names = "lindblad|cpu|jax|julia"
    pattern = re.compile(rf"""(["'`])({names})\1|\b(?:backend|method|reference) \W?({names})\b""")
    found = []
    for path in sorted((ROOT / "cqplug").rglob("*.py")):
        if "scaffold" in path.parts:  # the template of a user's new plugin package
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line) and not line.startswith('DEFAULT_BACKEND = "cpu"'):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
