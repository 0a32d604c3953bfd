"""The Julia backend: always-run checks (no Julia needed) and Julia-marked runs where Julia exists.

Without Julia: every .jl file and the Julia code generated for two models parse cleanly
(tree-sitter-julia and fatou), juliapkg accepts juliapkg.json, the wheel carries the Julia
sources, and choosing the backend fails in well under a second without importing juliacall.
"""

import importlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import cqplug
from cqplug.codegen import julia_source, model_functions
from cqplug.errors import BackendUnavailable

from .helpers import assert_agrees, julia_or_skip
from .models import spin_oscillator

ROOT = Path(__file__).resolve().parents[1]
JULIA_FILES = sorted(ROOT.glob("julia/**/*.jl"))


def generated_sources():
    s = cqplug.pauli_matrices()
    two_couplings = spin_oscillator(
        kind="anharmonic",
        couplings=[("lam*q", s["sz"]), ("lam*p/2", s["sx"])],
        channels=[("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
                  ("classical-decoherence", {"operator": "p", "rate": "gamma_c"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
                  ("coupling-dephasing", {"coupling": 1, "rate": "gamma_q"})])
    problems = {"toy": cqplug.Problem("toy"), "anharmonic-two-couplings": cqplug.Problem(two_couplings, {"gamma_q": 1.0})}
    return {name: julia_source(model_functions(p)) for name, p in problems.items()}


def tree_sitter_errors(source: bytes) -> list:
    tree_sitter = pytest.importorskip("tree_sitter")
    tree_sitter_julia = pytest.importorskip("tree_sitter_julia")
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_julia.language()))
    errors, stack = [], [parser.parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            errors.append((node.start_point[0] + 1, node.type, source[node.start_byte:node.end_byte][:40]))
        elif node.has_error:
            stack.extend(node.children)
    return errors


def test_there_are_julia_sources():
    assert [p.name for p in JULIA_FILES] == ["CQPlug.jl"]


def test_tree_sitter_detects_a_broken_file():  # the check below can fail
    assert tree_sitter_errors(b"function f(x)\n  for i in 1:3\n    x += i\nend\n")


@pytest.mark.parametrize("path", JULIA_FILES, ids=lambda p: p.name)
def test_julia_files_parse(path):
    assert tree_sitter_errors(path.read_bytes()) == []


@pytest.mark.parametrize("name,source", list(generated_sources().items()))
def test_generated_julia_parses(name, source, tmp_path):
    assert tree_sitter_errors(source.encode()) == []
    assert "function drift!(out, z, params, expL)" in source
    path = tmp_path / f"{name}.jl"
    path.write_text(source)
    assert fatou_errors([path]) == []


def fatou_errors(paths) -> list:
    exe = shutil.which("fatou")
    if exe is None:
        pytest.skip("fatou is not installed (pip install 'cqplug[test]')")
    out = subprocess.run([exe, "lint", "--no-config", "--output", "json", "--julia-version", "1.10",
                          *map(str, paths)], capture_output=True, text=True, timeout=120)
    findings = json.loads(out.stdout[: out.stdout.rindex("]") + 1])
    return [f for f in findings if f["severity"] == "error"]


def test_fatou_detects_a_broken_file(tmp_path):
    bad = tmp_path / "bad.jl"
    bad.write_text("module X\nfunction f(a)\n  a += 1\nend\n")
    assert fatou_errors([bad])


def test_julia_files_lint_without_errors():
    assert fatou_errors(JULIA_FILES) == []


def test_juliapkg_accepts_the_requirements():
    deps = pytest.importorskip("juliapkg.deps")
    compat, packages = deps.find_requirements()
    by_name = {p.name: p for p in packages}
    assert by_name["StochasticDiffEq"].uuid == "789caeaf-c7a9-5a7d-9973-96adeb23e2a0"
    assert by_name["SciMLBase"].uuid == "0bca4576-84f4-4d90-8ffe-ffa030f20462"
    assert "DifferentialEquations" not in by_name  # v8 has no SDE solvers (julia-bridge.md §0)


def test_wheel_contains_the_julia_sources(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                    "-q", "-w", str(tmp_path)], check=True, timeout=300, capture_output=True)
    (wheel,) = tmp_path.glob("cqplug-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "cqplug_julia/julia/CQPlug.jl" in names
    assert "cqplug_julia/juliapkg.json" in names


@pytest.fixture
def no_julia(monkeypatch, tmp_path):
    """An environment with no Julia executable, and the bridge's cached state cleared."""
    bridge = importlib.import_module("cqplug_julia.bridge")
    monkeypatch.setenv("PATH", str(tmp_path))
    for var in ("PYTHON_JULIACALL_EXE", "PYTHON_JULIAPKG_EXE", "CQPLUG_JULIA_ALLOW_DOWNLOAD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setitem(bridge._state, "module", None)
    monkeypatch.setitem(bridge._state, "error", None)
    if "juliacall" in sys.modules:
        pytest.skip("juliacall is already imported in this process")
    return bridge


def test_backend_without_julia_fails_fast_and_never_imports_juliacall(no_julia):
    problem = cqplug.Problem("toy", t_final=0.5)
    for _ in range(2):  # the second call hits the cached failure
        start = time.perf_counter()
        with pytest.raises(BackendUnavailable, match="PYTHON_JULIAPKG_EXE") as err:
            cqplug.solve(problem, "cq", backend="julia", trajectories=10)
        assert time.perf_counter() - start < 0.5
    assert "no Julia executable found" in str(err.value) or "juliacall is not installed" in str(err.value)
    assert "juliacall" not in sys.modules


def test_cli_backend_julia_without_julia_exits_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON_JULIA", "CQPLUG_JULIA"))}
    env["PATH"] = os.path.dirname(sys.executable)
    run = subprocess.run([sys.executable, "-m", "cqplug.cli", "run", "toy", "--backend", "julia", "-o",
                          str(tmp_path / "r.json")], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2 and "backend 'julia' is unavailable" in run.stderr
    assert not (tmp_path / "r.json").exists()


def test_cpu_backend_refuses_a_solver():
    with pytest.raises(cqplug.CQPlugError, match="takes no solver option"):
        cqplug.solve(cqplug.Problem("toy", t_final=0.5), "cq", solver="EM", trajectories=10)


# --- Julia-marked: run only where Julia exists ------------------------------------------------

@pytest.mark.julia
@pytest.mark.parametrize("method", ["cq", "cq-ket"])
def test_julia_cq_matches_lindblad(method):
    julia_or_skip()
    pytest.importorskip("qutip")
    problem = cqplug.Problem("toy", {"delta": 1.0, "gamma_q": 0.5}, t_final=3.0, save_dt=0.25)
    reference = cqplug.solve(problem, "lindblad")
    result = cqplug.solve(problem, method, backend="julia", trajectories=100_000, seed=3, dt=2e-3)
    assert_agrees(result, reference)


@pytest.mark.julia
@pytest.mark.parametrize("model", ["toy", "two-couplings"])
def test_julia_agrees_with_cpu(model):
    julia_or_skip()
    s = cqplug.pauli_matrices()
    if model == "toy":
        problem = cqplug.Problem("toy", {"delta": 0.5, "q0": 1.0}, t_final=2.0, save_dt=0.25)
    else:
        two = spin_oscillator(couplings=[("lam*q", s["sz"]), ("lam*p/2", s["sx"])],
                              channels=[("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
                                        ("classical-decoherence", {"operator": "p", "rate": "gamma_c"}),
                                        ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
                                        ("coupling-dephasing", {"coupling": 1, "rate": "gamma_q"})])
        problem = cqplug.Problem(two, {"gamma_q": 1.0}, t_final=2.0, save_dt=0.25)
    cpu = cqplug.solve(problem, "cq", trajectories=100_000, seed=1, dt=2e-3)
    julia = cqplug.solve(problem, "cq", backend="julia", trajectories=100_000, seed=2, dt=2e-3)
    for name in cpu.observables:
        diff = julia.mean(name) - cpu.mean(name)
        err = np.hypot(julia.stderr(name), cpu.stderr(name))
        ok = err > 1e-9
        assert np.all(np.abs(diff[ok]) < 4.5 * err[ok]), name
