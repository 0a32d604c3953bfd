"""Parameter scans on the local executor: the grid, per-point seeds, refused points, one file,
an interrupted scan keeping its finished points, and a scan plotted."""

import sys

import numpy as np
import pytest

import cqplug
from cqplug.errors import CQPlugError
from cqplug.solving.scan import parse_grid, point_seed, scan

pytestmark = pytest.mark.integration


@pytest.mark.unit
def test_grid_syntax():
    assert parse_grid(["lam=0.5,1", "gamma_q=0:1:3"]) == {"lam": [0.5, 1.0], "gamma_q": [0.0, 0.5, 1.0]}
    for bad in (["lam"], ["lam=a,b"], ["lam=0:1"], ["lam=1", "lam=2"], []):
        with pytest.raises(CQPlugError):
            parse_grid(bad)


def test_each_point_is_the_problem_remade_and_solved_with_its_seed():
    problem = cqplug.Problem("toy", {"delta": 1.0}, t_final=0.5, save_dt=0.25)
    result = scan(problem, {"lam": [0.5, 1.0], "gamma_q": [0.5]}, trajectories=1000, seed=9, progress=False)
    assert result.shape == (2, 1) and result.points == [{"lam": 0.5, "gamma_q": 0.5}, {"lam": 1.0, "gamma_q": 0.5}]
    for i, point in enumerate(result.points):
        alone = cqplug.solve(problem.remake(point), "cq", trajectories=1000, seed=point_seed(9, i), progress=False)
        np.testing.assert_array_equal(result.results[i].mean("q2"), alone.mean("q2"))
        assert result.table("q2")[i, 0] == alone.mean("q2")[-1]


def test_unknown_grid_parameter_is_an_error_not_a_grid_of_refusals():
    with pytest.raises(CQPlugError, match=r"no parameter\(s\) \['lamda'\]"):
        scan(cqplug.Problem("toy"), {"lamda": [1.0]}, trajectories=10)


def test_interrupted_scan_keeps_finished_points(monkeypatch):
    solve_module = sys.modules["cqplug.solving.solve"]
    real, calls = solve_module.solve, []

    def interrupted_second_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(solve_module, "solve", interrupted_second_time)
    problem = cqplug.Problem("toy", t_final=0.5)
    result = scan(problem, {"gamma_q": [0.3, 0.4, 0.5]}, trajectories=500, seed=1, progress=False)
    assert result.partial and result.results[0] is not None and result.results[1:] == [None, None]
    assert "interrupted" in result.errors[1] and len(calls) == 2


def test_cli_scan_saves_one_file_with_refused_points_and_plots_it(cli, tmp_path):
    out = tmp_path / "scan.json"
    run = cli("scan", "toy", "-g", "lam=0.5,1", "-g", "gamma_q=0.1,0.5", "-n", "1000", "--seed", "3", "--t-final",
              "0.5", "--quiet", "-o", out)
    assert run.code == 0, run.err
    loaded = cqplug.Scan.load(out)
    table = loaded.table("sx")
    assert table.shape == (2, 2) and np.isnan(table[1, 0]) and np.all(np.isfinite(table.ravel()[[0, 1, 3]]))
    assert "gamma_q must be >= 0.25" in loaded.errors[2] and "[3/4] lam=1 gamma_q=0.1: refused" in run.out
    pytest.importorskip("matplotlib")
    plotted = cli("plot", out, "--observables", "sx,q2", "-o", tmp_path / "scan.png")
    assert plotted.code == 0 and (tmp_path / "scan.png").stat().st_size > 5_000, plotted.err
    bad = cli("scan", "toy", "-g", "lam=x")
    assert bad.code == 2 and "expected NAME=v1,v2" in bad.err
