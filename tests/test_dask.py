"""Ensembles and scans on Dask (a LocalCluster of worker processes on this machine): the same
seed gives bit-for-bit the statistics of the local executor, also when a worker is killed while
it runs a chunk (the scheduler runs the lost chunk again elsewhere)."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import cqplug
from cqplug.errors import CQPlugError
from cqplug.solving.executors import DaskExecutor
from cqplug.solving.scan import scan

from .helpers import interruptible, wait_for_cpu

pytestmark = pytest.mark.integration
distributed = pytest.importorskip("distributed")

PROBLEM = dict(model="toy", params={"delta": 1.0, "gamma_q": 0.5}, t_final=1.0, save_dt=0.25)
RUN = dict(seed=21, chunk_size=512, progress=False)


def _problem():
    return cqplug.Problem(PROBLEM["model"], PROBLEM["params"], t_final=PROBLEM["t_final"], save_dt=PROBLEM["save_dt"])


def assert_identical(a, b):
    assert a.info.trajectories == b.info.trajectories and not a.partial and not b.partial
    for name in a.observables:
        assert np.array_equal(a.mean(name), b.mean(name)) and np.array_equal(a.stderr(name), b.stderr(name)), name
    for name in a.histograms:
        assert np.array_equal(a.histograms[name]["probability"], b.histograms[name]["probability"]), name


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  scheduler_kwargs={"dashboard_address": ":0"}) as c:
        with DaskExecutor(distributed.Client(c)) as executor:
            yield c, executor


@pytest.mark.parametrize("method", ["cq", "cq-ket"])
def test_same_seed_same_statistics_as_local(cluster, method):
    _, executor = cluster
    local = cqplug.solve(_problem(), method, trajectories=6_000, **RUN)
    remote = cqplug.solve(_problem(), method, trajectories=6_000, executor=executor, **RUN)
    assert remote.info.executor == "dask" and local.info.executor == "local"
    assert_identical(local, remote)


def test_killing_a_worker_mid_run_still_gives_the_complete_result(cluster):
    c, executor = cluster
    client = executor.client()
    trajectories = 80 * 512  # 80 chunks of one block
    local = cqplug.solve(_problem(), "cq", trajectories=trajectories, **RUN)
    outcome = {}
    run = threading.Thread(target=lambda: outcome.update(result=cqplug.solve(
        _problem(), "cq", trajectories=trajectories, executor=executor, **RUN)))
    run.start()
    victim, deadline = None, time.monotonic() + 120
    while victim is None and time.monotonic() < deadline:  # a worker in the middle of a chunk
        busy = {w: keys for w, keys in client.processing().items() if any("run_chunk" in str(k) for k in keys)}
        victim = next(iter(busy), None)
        time.sleep(0.05)
    assert victim is not None, "no worker ever ran a chunk"
    nanny = next(n for n in c.workers.values() if n.worker_address == victim)
    os.kill(nanny.process.pid, signal.SIGKILL)  # the worker process dies; its nanny starts a new one
    run.join(timeout=300)
    assert not run.is_alive() and "result" in outcome
    assert victim not in client.scheduler_info()["workers"]
    assert_identical(local, outcome["result"])


def test_scan_on_dask_matches_the_local_scan(cluster, tmp_path):
    _, executor = cluster
    grid = {"lam": [0.5, 1.0], "gamma_q": [0.1, 0.5]}
    problem = cqplug.Problem("toy", {"delta": 1.0}, t_final=1.0, save_dt=0.5)
    kwargs = dict(trajectories=1_000, seed=4, progress=False)
    local = scan(problem, grid, **kwargs)
    remote = scan(problem, grid, executor=executor, **kwargs)
    assert local.errors[2] is not None and "gamma_q must be >= 0.25" in local.errors[2]  # lam=1, gamma_q=0.1
    assert remote.errors == local.errors
    for a, b in zip(local.results, remote.results):
        if a is not None:
            assert_identical(a, b)
    remote.save(tmp_path / "scan.json")
    loaded = cqplug.Scan.load(tmp_path / "scan.json")
    np.testing.assert_array_equal(loaded.table("q2"), local.table("q2"))
    assert loaded.table("q2").shape == (2, 2) and np.isnan(loaded.table("q2")[1, 0])
    seeds = [r.info.seed for r in local.results if r is not None]
    assert len(set(seeds)) == len(seeds)  # each point its own seed stream


def test_dask_refuses_what_it_cannot_do(cluster):
    _, executor = cluster
    with pytest.raises(CQPlugError, match="scheduler is an option of executor='dask'"):
        cqplug.solve(_problem(), "cq", trajectories=10, scheduler="tcp://localhost:8786")
    with pytest.raises(CQPlugError, match="unknown executor 'mpi'"):
        cqplug.solve(_problem(), "cq", trajectories=10, executor="mpi")


def test_interrupting_a_dask_run_saves_quietly(tmp_path):
    """Ctrl-C: the finished blocks are saved, and the workers' shutdown is not a wall of tracebacks."""
    import json
    import subprocess
    import sys

    out = tmp_path / "r.json"
    process = subprocess.Popen([sys.executable, "-m", "cqplug.cli", "run", "toy", "-n", "100000000", "--dt", "0.002",
                                "--seed", "1", "--executor", "dask", "--workers", "2", "-o", str(out), "-q"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    try:
        wait_for_cpu(process.pid, 5.0, descendants=True)  # however busy the machine: blocks were computed
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=300)
    finally:
        process.kill()  # never left running after a failure
    assert process.returncode == 130, err
    assert json.loads(out.read_text())["info"]["partial"] is True
    assert "Traceback" not in err and err.count("\n") <= 3, err

