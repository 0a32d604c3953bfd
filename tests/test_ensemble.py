"""The ensemble engine: seed contract, stopping rule, interruption, sample paths."""

import os

import numpy as np
import pytest

import cqplug
from cqplug.options import BLOCK_SIZE, Options
from cqplug.plugins import get_registry


@pytest.fixture(scope="module")
def problem():
    return cqplug.Problem("toy", {"delta": 0.5, "gamma_q": 0.4}, t_final=1.0, save_dt=0.25)


def _stats(result):
    return [result.mean(k) for k in result.observables] + [result.stderr(k) for k in result.observables] + \
        [h["probability"] for h in result.histograms.values()]


@pytest.mark.parametrize("method", ["cq", "cq-ket"])
def test_same_seed_same_bits_whatever_chunks_and_workers(problem, method):
    runs = [cqplug.solve(problem, method, trajectories=2300, seed=9, dt=0.01, chunk_size=c, workers=w)
            for c, w in ((500, 1), (1500, 2), (1000, 2), (2500, 1))]
    for other in runs[1:]:
        for a, b in zip(_stats(runs[0]), _stats(other)):
            assert np.array_equal(a, b)
        assert np.array_equal(runs[0].sample_paths["z"], other.sample_paths["z"])
    different = cqplug.solve(problem, method, trajectories=2300, seed=10, dt=0.01)
    assert not np.array_equal(runs[0].mean("q2"), different.mean("q2"))


def test_target_stderr_stops_early_and_deterministically(problem):
    target = 0.02
    runs = [cqplug.solve(problem, "cq", trajectories=50_000, seed=3, dt=0.01, target_stderr=target, workers=w)
            for w in (1, 2)]
    first = runs[0]
    assert first.info["trajectories"] < 50_000
    assert max(first.stderr(k).max() for k in first.observables) <= target
    assert runs[1].info["trajectories"] == first.info["trajectories"]
    # one block fewer would not have met the target
    shorter = cqplug.solve(problem, "cq", trajectories=first.info["trajectories"] - BLOCK_SIZE, seed=3, dt=0.01)
    assert max(shorter.stderr(k).max() for k in shorter.observables) > target


def test_interrupt_keeps_finished_blocks(problem, monkeypatch):
    registry = get_registry()
    backend = registry.create("backends", "cpu")
    prepare = backend.prepare

    def interrupting_prepare(*args):
        runner = prepare(*args)
        run_block = runner.run_block

        def run(n, seed, *rest):
            if seed.spawn_key == (0, 3):
                raise KeyboardInterrupt
            return run_block(n, seed, *rest)

        runner.run_block = run
        return runner

    monkeypatch.setattr(backend, "prepare", interrupting_prepare)
    method = registry.create("methods", "cq")
    partial = method.solve(problem, backend, Options(trajectories=5000, seed=1, dt=0.01, workers=1))
    assert partial.partial and partial.info["trajectories"] == 3 * BLOCK_SIZE
    complete = cqplug.solve(problem, "cq", trajectories=3 * BLOCK_SIZE, seed=1, dt=0.01)
    for a, b in zip(_stats(partial), _stats(complete)):
        assert np.array_equal(a, b)


def test_sample_paths_show_branching_of_sigma_z():
    problem = cqplug.Problem("toy", t_final=6.0, save_dt=0.5)
    result = cqplug.solve(problem, "cq", trajectories=BLOCK_SIZE, seed=2, dt=2e-3, n_paths=8)
    sz = result.sample_paths["sz"]
    assert sz.shape == (8, len(problem.times))
    assert np.all(sz[:, 0] == pytest.approx(0, abs=1e-12))
    # measurement-like back-reaction drives each conditioned <sigma_z> towards +-1
    assert np.mean(np.abs(sz[:, -1]) > 0.9) >= 0.75
    # and the stored q paths agree with the stored observable q
    np.testing.assert_allclose(result.sample_paths["z"][:, :, 0], result.sample_paths["q"], rtol=1e-12)


def test_save_and_load_round_trip(problem, tmp_path):
    result = cqplug.solve(problem, "cq", trajectories=600, seed=1, dt=0.01)
    for name in ("r.json", "r.npz"):
        result.save(tmp_path / name)
        loaded = cqplug.Result.load(tmp_path / name)
        np.testing.assert_array_equal(loaded.times, result.times)
        for k in result.observables:
            np.testing.assert_array_equal(loaded.mean(k), result.mean(k))
            np.testing.assert_array_equal(loaded.stderr(k), result.stderr(k))
        np.testing.assert_array_equal(loaded.histograms["q"]["probability"], result.histograms["q"]["probability"])
        assert loaded.info["seed"] == 1
        mask = os.umask(0)
        os.umask(mask)
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~mask
