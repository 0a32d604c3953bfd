"""Parameter scans on the local executor: the grid, per-point seeds, refused points, one file,
and an interrupted scan keeping its finished points."""

import subprocess
import sys

import numpy as np
import pytest

import cqplug
from cqplug.errors import CQPlugError
from cqplug.scan import parse_grid, point_seed, scan


def test_grid_syntax():
    assert parse_grid(["lam=0.5,1", "gamma_q=0:1:3"]) == {"lam": [0.5, 1.0], "gamma_q": [0.0, 0.5, 1.0]}
    for bad in (["lam"], ["lam=a,b"], ["lam=0:1"], ["lam=1", "lam=2"], []):
        with pytest.raises(CQPlugError):
            parse_grid(bad)


def test_each_point_is_the_ensemble_solve_gives_with_its_seed():
    grid = {"lam": [0.5, 1.0], "gamma_q": [0.5]}
    result = scan("toy", grid, {"delta": 1.0}, t_final=0.5, save_dt=0.25, trajectories=1000, seed=9, progress=False)
    assert result.shape == (2, 1) and result.points == [{"lam": 0.5, "gamma_q": 0.5}, {"lam": 1.0, "gamma_q": 0.5}]
    for i, point in enumerate(result.points):
        alone = cqplug.solve(cqplug.Problem("toy", {"delta": 1.0} | point, t_final=0.5, save_dt=0.25), "cq",
                             trajectories=1000, seed=point_seed(9, i), progress=False)
        np.testing.assert_array_equal(result.results[i].mean("q2"), alone.mean("q2"))
        assert result.table("q2")[i, 0] == alone.mean("q2")[-1]


def test_unknown_grid_parameter_is_an_error_not_a_grid_of_refusals():
    with pytest.raises(CQPlugError, match=r"no parameter\(s\) \['lamda'\]"):
        scan("toy", {"lamda": [1.0]}, trajectories=10)


def test_interrupted_scan_keeps_finished_points(monkeypatch):
    solve_module = sys.modules["cqplug.solve"]  # the module; cqplug.solve is the function
    real, calls = solve_module.solve, []

    def interrupted_second_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(solve_module, "solve", interrupted_second_time)
    result = scan("toy", {"gamma_q": [0.3, 0.4, 0.5]}, t_final=0.5, trajectories=500, seed=1, progress=False)
    assert result.partial and result.results[0] is not None and result.results[1:] == [None, None]
    assert "interrupted" in result.errors[1] and len(calls) == 2


def test_cli_scan_saves_one_file_with_refused_points(tmp_path):
    out = tmp_path / "scan.json"
    run = subprocess.run([sys.executable, "-m", "cqplug.cli", "scan", "toy", "-g", "lam=0.5,1", "-g", "gamma_q=0.1,0.5",
                          "-n", "1000", "--seed", "3", "--t-final", "0.5", "--quiet", "-o", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    loaded = cqplug.Scan.load(out)
    table = loaded.table("sx")
    assert table.shape == (2, 2) and np.isnan(table[1, 0]) and np.all(np.isfinite(table.ravel()[[0, 1, 3]]))
    assert "gamma_q must be >= 0.25" in loaded.errors[2] and "[3/4] lam=1 gamma_q=0.1: refused" in run.stdout
    bad = subprocess.run([sys.executable, "-m", "cqplug.cli", "scan", "toy", "-g", "lam=x"], capture_output=True, text=True)
    assert bad.returncode == 2 and "expected NAME=v1,v2" in bad.stderr
