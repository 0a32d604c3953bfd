"""The hybrid filter: records of simulated trajectories, the quantum state conditioned on them (pathwise
against the simulation's own), the likelihood of a path, estimation, bad input, the command line."""

import json

import numpy as np
import pytest
from cqplug_models.spin_boson import spin_boson

import cqplug
from cqplug.errors import CQPlugError
from cqplug.filtering import FilterResult, curvature_estimate

from . import models

pytestmark = pytest.mark.integration


def recorded(problem, n=3, seed=3, trajectories=600, **options):
    return cqplug.solve(problem, "cq", trajectories=trajectories, seed=seed, n_paths=n, record=True, progress=False,
                        **options)


def pathwise_difference(problem, result) -> float:
    """Largest |filtered - simulated| conditioned value of any observable at the saved times, over the paths."""
    worst = 0.0
    for k, record in enumerate(result.records):
        filtered = cqplug.filter(problem, record.times, record.z)
        saved = np.searchsorted(record.times, result.times - 1e-9)
        for name in filtered.conditioned:
            worst = max(worst, float(np.abs(filtered.mean(name)[saved] - result.sample_paths[name][k]).max()))
    return worst


def test_records_are_the_sample_trajectories_at_every_step():
    for problem in (cqplug.Problem("toy", t_final=1.0),  # straight-line kernel
                    cqplug.Problem(models.qubit_chain(3), t_final=0.5)):  # d = 8: the looped kernel
        result = recorded(problem)
        assert len(result.records) == 3
        for k, record in enumerate(result.records):
            steps = np.diff(record.times)
            np.testing.assert_allclose(steps, result.info.dt, rtol=1e-12)
            assert record.z.shape == (len(record.times), 2 * problem.model.n)
            assert len(record.times) == (len(result.times) - 1) * result.info.steps_per_save + 1
            saved = np.searchsorted(record.times, result.times - 1e-9)
            np.testing.assert_allclose(record.z[saved], result.sample_paths["z"][k], rtol=0, atol=1e-12)
            assert record.z_names == result.info.variables
        # between saved times the path moves (it is not the saved points repeated)
        assert np.abs(np.diff(result.records[0].z[:, -1])).min() > 0


def test_recording_changes_nothing_else():
    problem = cqplug.Problem("toy", t_final=1.0)
    plain = cqplug.solve(problem, "cq", trajectories=1500, seed=8, n_paths=3, progress=False)
    kept = recorded(problem, seed=8, trajectories=1500)
    for name in plain.observables:
        np.testing.assert_array_equal(kept.mean(name), plain.mean(name))
        np.testing.assert_array_equal(kept.bias(name), plain.bias(name))
    np.testing.assert_array_equal(kept.sample_paths["z"], plain.sample_paths["z"])
    assert plain.records == [] and "record_z" not in plain.sample_paths


@pytest.mark.parametrize("name, build", [
    ("toy", lambda: cqplug.Problem("toy", t_final=2.0)),
    ("spin one, d = 3", lambda: cqplug.Problem(models.spin_one(), t_final=2.0)),
    ("two qubits, d = 4", lambda: cqplug.Problem(models.two_qubit_sum(), t_final=2.0)),
    ("momentum coupling, omega = 1.3", lambda: cqplug.Problem(models.momentum_coupled(), t_final=2.0)),
    ("decaying qubit, thermal bath", lambda: cqplug.Problem(models.toy_in_environment(n_qubit=0.2), t_final=2.0)),
    ("strong dephasing", lambda: cqplug.Problem("toy", {"gamma_q": 8.0}, t_final=2.0)),
    ("spin-boson, 1000 modes", lambda: cqplug.Problem(spin_boson(1000), t_final=0.5)),  # the bath kernel
])
def test_the_filter_reproduces_each_trajectory_from_its_path(name, build):
    problem = build()
    assert pathwise_difference(problem, recorded(problem)) < 1e-8, name


def test_an_anharmonic_path_is_filtered_through_the_heun_flow():
    problem = cqplug.Problem(models.spin_oscillator(kind="anharmonic"), t_final=2.0)
    assert cqplug.filter(problem, [0, 0.01], [[0, 0], [0, 0]]).info["flow"] == "Heun"
    for seed in (3, 4):
        difference = pathwise_difference(problem, recorded(problem, dt=0.0125, seed=seed))
        assert 1e-9 < difference < 1e-3, difference  # the Heun step's error, not round-off, and small


def test_the_likelihood_is_the_record_law_summed():
    # the first step of a record by hand: z_1 from z_0 under the toy at delta = 0 (rho0 = |+><+|)
    problem = cqplug.Problem("toy", t_final=1.0)
    result = recorded(problem, n=1)
    record = result.records[0]
    filtered = cqplug.filter(problem, record.times, record.z)
    assert filtered.loglikelihood == pytest.approx(filtered.increments.sum())
    lam, gamma_c, dt = 1.0, 0.25, record.times[1]
    sigma = np.sqrt(2 * gamma_c)
    c, s = np.cos(dt / 2), np.sin(dt / 2)
    flow = np.array([[c, s], [-s, c]])  # the oscillator's exact flow over dt/2
    kick = np.linalg.solve(flow, record.z[1]) - flow @ record.z[0]
    dY = kick[1] / sigma
    k = -lam / (2 * sigma)  # C = k sigma_z, eigenvalues +-k, each with probability 1/2
    density = 0.5 * sum(np.exp(-(dY - 2 * dt * v) ** 2 / (2 * dt)) / np.sqrt(2 * np.pi * dt) for v in (k, -k))
    volume = np.linalg.norm(flow @ np.array([0.0, sigma]))
    assert filtered.increments[1] == pytest.approx(np.log(density / volume), rel=1e-10)
    z0 = record.z[0]  # coherent state: Var q = Var p = 1/2
    assert filtered.increments[0] == pytest.approx(-np.log(np.pi) - z0 @ z0, rel=1e-10)


@pytest.mark.statistical
def test_the_likelihood_profile_peaks_at_the_true_coupling():
    problem = cqplug.Problem("toy", {"lam": 1.0, "gamma_c": 0.25, "gamma_q": 1.0}, t_final=10.0)
    result = recorded(problem, n=16, seed=11, trajectories=512)
    grid = np.linspace(0.7, 1.3, 7)
    total = sum(cqplug.likelihood_profile(problem, {"lam": grid}, r.times, r.z).table("loglikelihood")
                for r in result.records)
    estimate, error = curvature_estimate(grid, total)
    assert error < 0.07  # sixteen paths of t = 10 resolve lam to a few per cent: a 20 % bias fails
    assert abs(estimate - 1.0) < 3 * error, (estimate, error)


def test_a_path_is_more_likely_under_the_model_that_produced_it():
    # the mean log-likelihood ratio own/other is the KL divergence (> 0): tested against its standard error
    strong = cqplug.Problem("toy", {"lam": 1.0, "gamma_c": 0.25, "gamma_q": 1.0}, t_final=10.0)
    weak = strong.remake(lam=0.4)
    for source, other in ((strong, weak), (weak, strong)):
        records = recorded(source, n=12, seed=5, trajectories=512).records
        ratio = np.array([cqplug.loglikelihood(source, r.times, r.z) - cqplug.loglikelihood(other, r.times, r.z)
                          for r in records])
        z = ratio.mean() / (ratio.std(ddof=1) / np.sqrt(len(ratio)))
        assert z > 3, (source.params["lam"], ratio)


def test_a_likelihood_profile_is_a_scan_that_records_refused_points():
    problem = cqplug.Problem("toy", t_final=1.0)  # saturated at lam = 1: lam = 1.2 violates the trade-off
    record = recorded(problem, n=1).records[0]
    profile = cqplug.likelihood_profile(problem, {"lam": [0.8, 1.0, 1.2]}, record.times, record.z)
    table = profile.table("loglikelihood")
    assert np.isnan(table[2]) and "refused" in profile.errors[2]
    assert table[1] == pytest.approx(cqplug.loglikelihood(problem, record.times, record.z))
    with pytest.raises(CQPlugError, match="end of the grid"):
        cqplug.maximum_likelihood(cqplug.likelihood_profile(problem, {"lam": [0.2, 0.3, 0.4]}, record.times,
                                                            record.z), "lam")


@pytest.mark.unit
def test_curvature_estimate_of_a_parabola():
    values = np.linspace(0.0, 2.0, 9)
    estimate, error = curvature_estimate(values, -0.5 * (values - 1.1) ** 2 / 0.2**2)
    assert estimate == pytest.approx(1.1) and error == pytest.approx(0.2)


@pytest.mark.unit
def test_bad_paths_are_refused_in_one_line():
    problem = cqplug.Problem("toy", t_final=1.0)
    t = np.linspace(0.0, 1.0, 11)
    z = np.zeros((11, 2))
    cases = [
        ((t, np.zeros((11, 3))), "shape"),
        ((t[:1], z[:1]), "at least 2"),
        ((np.r_[t[:5], t[5:] + 0.01], z), "uniform"),
        ((t, np.where(np.arange(22).reshape(11, 2) == 7, np.nan, z)), "finite"),
        ((t, np.c_[np.where(np.arange(11) == 4, 0.5, 0.0), np.zeros(11)]), "off the directions"),
    ]
    for (times, path), words in cases:
        with pytest.raises(CQPlugError, match=words) as caught:
            cqplug.filter(problem, times, path)
        assert "\n" not in str(caught.value)
    with pytest.raises(CQPlugError, match="density unravelling"):
        cqplug.filter(problem, t, z, method="cq-ket")
    with pytest.raises(cqplug.PositivityViolation, match="gamma"):
        cqplug.filter(cqplug.Problem("toy", {"lam": 2.0}, require_cq=False), t, z)
    for options, words in (({"n_paths": 0}, "n_paths"), ({"target_error": 0.01}, "one time step")):
        with pytest.raises(CQPlugError, match=words):
            cqplug.solve(problem, "cq", record=True, **options)


def test_records_survive_every_file_format(tmp_path):
    pytest.importorskip("netCDF4")
    result = recorded(cqplug.Problem("toy", t_final=0.5), n=2)
    for suffix in (".json", ".npz", ".nc"):
        path = tmp_path / f"run{suffix}"
        result.save(path)
        again = cqplug.load(path)
        assert len(again.records) == 2, suffix
        np.testing.assert_array_equal(again.records[1].z, result.records[1].z)
        np.testing.assert_array_equal(again.records[1].times, result.records[1].times)
    for suffix in (".npz", ".csv"):
        path = tmp_path / f"records{suffix}"
        cqplug.save_records(result.records, path)
        again = cqplug.load_records(path)
        assert [r.z_names for r in again] == [("q", "p")] * 2 and again[0].about["model"] == "toy"
        np.testing.assert_array_equal(again[1].z, result.records[1].z)  # repr() keeps every digit
    (tmp_path / "bad.csv").write_text("time,q,p\n0,1,2\n")
    with pytest.raises(CQPlugError, match="header"):
        cqplug.load_records(tmp_path / "bad.csv")
    with pytest.raises(CQPlugError, match="does not exist"):
        cqplug.save_records(result.records, tmp_path / "missing" / "r.npz")


def test_filter_from_the_command_line(cli, tmp_path):
    pytest.importorskip("matplotlib")
    records = tmp_path / "rec.npz"
    run = cli("run", "toy", "--t-final", "1", "-n", "600", "--seed", "2", "--n-paths", "2", "--record", records, "-q")
    assert run.code == 0 and f"saved {records} (2 recorded paths" in run.out
    out, figure = tmp_path / "f.json", tmp_path / "f.png"
    done = cli("filter", "toy", "--record", records, "--path", "1", "-o", out, "--plot", figure)
    assert done.code == 0, done.err
    saved = FilterResult.load(out)
    record = cqplug.load_records(records)[1]
    direct = cqplug.filter(cqplug.Problem("toy"), record.times, record.z)
    np.testing.assert_allclose(saved.mean("sz"), direct.mean("sz"), rtol=0, atol=1e-14)
    assert saved.loglikelihood == pytest.approx(direct.loglikelihood) and f"{direct.loglikelihood:.6f}" in done.out
    assert json.loads(out.read_text())["info"]["model"] == "toy"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for args, words in (((records, "--path", "5"), "holds 2 path"), ((tmp_path / "none.npz",), "does not exist")):
        refused = cli("filter", "toy", "--record", *args)
        assert refused.code == 2 and words in refused.err
    wrong = cli("filter", "stern-gerlach", "--record", records)
    assert wrong.code == 2 and "variables (q, p)" in wrong.err
    bad = cli("run", "toy", "--record", tmp_path / "r.txt")
    assert bad.code == 2 and ".npz or .csv" in bad.err


def numbers(saved) -> np.ndarray:
    """A saved profile's log-likelihoods (JSON null where a value was refused) as floats with NaN."""
    return np.array([np.nan if v is None else v for v in saved], dtype=float)


def test_likelihood_profile_from_the_command_line(cli, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    records = tmp_path / "rec.npz"
    rates = ("-p", "gamma_c=0.25", "-p", "gamma_q=1")
    run = cli("run", "toy", *rates, "--t-final", "10", "-n", "256", "--seed", "4", "--n-paths", "6", "--record",
              records, "-q")
    assert run.code == 0, run.err
    out, figure = tmp_path / "profile.json", tmp_path / "profile.png"
    # lam > 2 violates 16 gamma_c gamma_q >= lam^2: those values are refused, the rest still estimate
    done = cli("profile", "toy", *rates, "--record", records, "-g", "lam=0.5:2.5:21", "-o", out, "--plot", figure)
    assert done.code == 0, done.err
    values = np.linspace(0.5, 2.5, 21)
    problem = cqplug.Problem("toy", {"gamma_c": 0.25, "gamma_q": 1.0})
    per_path = [cqplug.likelihood_profile(problem, {"lam": values}, r.times, r.z).table("loglikelihood")
                for r in cqplug.load_records(records)]
    total = np.sum(per_path, axis=0)
    estimate, error = curvature_estimate(values, total)
    saved = json.loads(out.read_text())
    assert saved["paths"] == list(range(6)) and saved["partial"] is False and "lam" not in saved["parameters"]
    np.testing.assert_allclose(numbers(saved["loglikelihood"]), total, rtol=1e-12)
    assert np.isnan(total[values > 2]).all() and done.out.count("refused") == (values > 2).sum()
    assert saved["estimate"] == pytest.approx(estimate, rel=1e-12) and f"lam = {estimate:.6g} ± " in done.out
    assert abs(estimate - 1.0) < 3 * saved["error"] and saved["error"] < 0.15, saved  # the truth is lam = 1
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    one = cli("profile", "toy", *rates, "--record", records, "-g", "lam=0.5:1.5:11", "--path", "2", "-o", out)
    assert one.code == 0 and json.loads(out.read_text())["paths"] == [2]
    for args, words in (
        (("-g", "lam=0.5:1.5:5", "-g", "gamma_q=1,2"), "scans one parameter"),
        (("-g", "mass=1,2,3"), "no parameter(s) ['mass']"),
        (("-g", "lam=0.5:1.5:5", "--path", "9"), "holds 6 path"),
        (("-g", "lam=0.5:1.5:5", "-o", tmp_path / "p.csv"), "ending in .json"),
    ):
        refused = cli("profile", "toy", *rates, "--record", records, *args)
        assert refused.code == 2 and words in refused.err, refused.err
    edge = cli("profile", "toy", *rates, "--record", records, "-g", "lam=0.1:0.5:5", "-o", out)
    assert edge.code == 2 and "widen the grid" in edge.err and "the profile is saved" in edge.err
    assert json.loads(out.read_text())["estimate"] is None  # the profile is kept when there is no estimate
    weak = cli("profile", "toy", "-p", "gamma_c=0.05", "-p", "gamma_q=1", "--record", records, "-g", "lam=0.3:0.9:7")
    assert "valid CQ" not in weak.err and weak.out.count("refused") == 1  # the default lam = 1 is not checked

    calls = []

    def interrupted_after_one(*args, **kwargs):  # Ctrl-C during the second path
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return cqplug.likelihood_profile(*args, **kwargs)

    monkeypatch.setattr(cqplug.filtering, "likelihood_profile", interrupted_after_one)
    stopped = cli("profile", "toy", *rates, "--record", records, "-g", "lam=0.5:2.5:5", "-o", out)
    kept = json.loads(out.read_text())
    assert stopped.code == 130 and kept["partial"] is True and kept["paths"] == [0], stopped.err
    np.testing.assert_allclose(numbers(kept["loglikelihood"]), per_path[0][::5], rtol=1e-12)


@pytest.mark.unit
def test_a_star_import_keeps_the_builtin_filter():
    import builtins

    from cqplug.filtering.filter import filter as hybrid_filter

    namespace = {}
    exec("from cqplug import *", namespace)  # a fixed statement: what a notebook user types
    assert "filter" not in namespace and {"solve", "loglikelihood", "Problem"} <= set(namespace)
    assert cqplug.filter is hybrid_filter and cqplug.filter is not builtins.filter and "filter" in dir(cqplug)
    assert all(getattr(cqplug, name) is not None for name in cqplug.__all__)
