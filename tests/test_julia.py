"""The Julia backend: always-run checks (no Julia needed) and Julia-marked runs where Julia exists.

Without Julia: every .jl file and the Julia code generated for two models parse cleanly
(tree-sitter-julia and fatou) and use no name Julia lacks; juliapkg accepts juliapkg.json; the
wheel carries the Julia sources; the arrays handed to Julia are the standard form's (whose
equations tests/test_standard_form.py checks, and tests/test_jax.py integrates against the
exact solution); the version check refuses a Julia out of range and never calls juliaup; and
choosing the backend fails fast without importing juliacall.
"""

import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import cqplug
from cqplug.errors import BackendUnavailable, CQPlugError
from cqplug.registry import get_registry
from cqplug.system import compile_system
from cqplug.system.standard_form import expectation_forms, standard_form

from .helpers import assert_agrees, julia_or_skip
from .models import spin_oscillator

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
JULIA_FILES = sorted(ROOT.glob("julia/**/*.jl"))


def two_couplings():
    s = cqplug.pauli_matrices()
    return spin_oscillator(
        kind="anharmonic", couplings=[("lam*q", s["sz"]), ("lam*p/2", s["sx"])],
        channels=[("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
                  ("classical-decoherence", {"operator": "p", "rate": "gamma_c"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
                  ("coupling-dephasing", {"coupling": 1, "rate": "gamma_q"})])


def generated_sources():
    from cqplug_julia.backend import julia_source

    cq = get_registry().method("cq")
    problems = {"toy": cqplug.Problem("toy"), "anharmonic-two-couplings": cqplug.Problem(two_couplings(),
                                                                                         {"gamma_q": 1.0})}
    return {name: julia_source(compile_system(p, cq)) for name, p in problems.items()}


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
def test_generated_julia_parses_and_uses_only_julia_names(name, source, tmp_path):
    assert tree_sitter_errors(source.encode()) == []
    for function in ("hamilton!", "couplings!", "observables!"):
        assert f"function {function}(out, z, params)" in source
    for missing in ("atan2", "erf", "gamma(", "math.", "**"):  # SymPy's Julia printer would emit some
        assert missing not in source
    path = tmp_path / f"{name}.jl"
    path.write_text(source)
    assert fatou_errors([path]) == []


def test_generated_julia_maps_atan2_and_e():
    import sympy as sp

    from cqplug.system.phase_space import JuliaPrinter, PhaseSpaceFunction, z_symbol

    f = PhaseSpaceFunction("f", (sp.atan2(z_symbol(1), z_symbol(0)) + sp.E * z_symbol(0),))
    text = JuliaPrinter().function(f, 2, 0)
    assert "atan(z_1, z_0)" in text and "exp(1.0)" in text and "atan2" not in text


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
    assert "DifferentialEquations" not in by_name  # DifferentialEquations v8 ships no SDE solvers


@pytest.fixture
def no_julia(monkeypatch, tmp_path):
    """An environment with no Julia executable, and the bridge's cached state cleared."""
    bridge = importlib.import_module("cqplug_julia.bridge")
    monkeypatch.setenv("PATH", str(tmp_path))
    for var in ("PYTHON_JULIACALL_EXE", "PYTHON_JULIAPKG_EXE", "PYTHON_JULIACALL_PROJECT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setitem(bridge._state, "module", None)
    monkeypatch.setitem(bridge._state, "error", None)
    if "juliacall" in sys.modules:
        pytest.skip("juliacall is already imported in this process")
    return bridge


def fake_executable(folder: Path, name: str, version: str | None) -> Path:
    """A script called ``name`` that records each call in ``name``.calls and, for julia, prints a version."""
    path = folder / name
    record = folder / f"{name}.calls"
    reply = f"echo 'julia version {version}'" if version else "exit 3"
    path.write_text(f"#!/bin/sh\necho \"$@\" >> '{record}'\n{reply}\n")
    path.chmod(0o755)
    return record


@pytest.mark.skipif(os.name != "posix", reason="fake executables are shell scripts")
def test_a_julia_outside_juliapkgs_range_is_refused_and_juliaup_is_never_called(no_julia, tmp_path):
    pytest.importorskip("juliapkg")
    julia_calls = fake_executable(tmp_path, "julia", "1.9.4")
    juliaup_calls = fake_executable(tmp_path, "juliaup", None)
    with pytest.raises(BackendUnavailable, match=r"Julia 1\.9\.4 at .* is outside the range juliapkg requires"):
        no_julia.check_julia()
    assert julia_calls.read_text().split() == ["--version"]
    assert not juliaup_calls.exists() and "PYTHON_JULIAPKG_EXE" not in os.environ


@pytest.mark.skipif(os.name != "posix", reason="fake executables are shell scripts")
def test_a_julia_in_range_is_handed_to_juliapkg(no_julia, tmp_path):
    pytest.importorskip("juliapkg")
    fake_executable(tmp_path, "julia", "1.10.5")
    juliaup_calls = fake_executable(tmp_path, "juliaup", None)
    assert no_julia.check_julia() == str(tmp_path / "julia")
    assert os.environ["PYTHON_JULIAPKG_EXE"] == str(tmp_path / "julia")  # juliapkg then looks no further
    assert not juliaup_calls.exists()


@pytest.mark.skipif(os.name != "posix", reason="fake executables are shell scripts")
def test_juliaup_alone_is_not_a_julia(no_julia, tmp_path):
    juliaup_calls = fake_executable(tmp_path, "juliaup", None)
    with pytest.raises(BackendUnavailable, match="no Julia executable found"):
        no_julia.check_julia()
    assert not juliaup_calls.exists()


def test_backend_without_julia_fails_fast_and_never_imports_juliacall(no_julia):
    problem = cqplug.Problem("toy", t_final=0.5)
    for _ in range(2):  # the second call hits the cached failure
        start = time.perf_counter()
        with pytest.raises(BackendUnavailable, match="backend 'julia' is unavailable") as err:
            cqplug.solve(problem, "cq", backend="julia", trajectories=10, progress=False)
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


def test_solver_names_are_checked_before_julia_starts(monkeypatch):
    bridge = importlib.import_module("cqplug_julia.bridge")
    monkeypatch.setattr(bridge, "load", lambda: pytest.fail("Julia was started"))
    with pytest.raises(CQPlugError, match="solver must be one of DRI1, RI5, EM, got 'RKMilGeneral'"):
        cqplug.solve(cqplug.Problem("toy", t_final=0.5), "cq", backend="julia", solver="RKMilGeneral",
                     trajectories=10, progress=False)


def test_cpu_backend_refuses_a_solver():
    with pytest.raises(CQPlugError, match="backend 'cpu': kernel"):
        cqplug.solve(cqplug.Problem("toy", t_final=0.5), "cq", solver="EM", trajectories=10, progress=False)


@pytest.mark.parametrize("model, method_name", [("toy", "cq-ket"), ("two-oscillators", "cq")])
def test_the_arrays_julia_receives_are_the_standard_form(model, method_name):
    """Julia's index order (stack index last) holds the standard form's matrices, and the initial
    state packs like u = [z; x]."""
    from cqplug_julia.backend import julia_arrays

    system = compile_system(cqplug.Problem(model), get_registry().method(method_name))
    form, a = standard_form(system), julia_arrays(system)
    for name in ("A", "G", "expect_L", "expect_C"):
        stacked = getattr(form, name)
        for k in range(len(stacked)):
            np.testing.assert_array_equal(a[name][..., k], stacked[k])
    B = expectation_forms(system.state, system.observable_operators)
    np.testing.assert_array_equal(a["expect_B"][..., 1], B[1])
    first = form.pack(np.zeros(system.n_z), system.kets[0] if system.state == "ket" else system.rho0)
    np.testing.assert_array_equal(a["x_initial"][:, 0], first[system.n_z:])
    assert a["ket"] == (system.state == "ket") and a["m"] == system.n_noise


# --- Julia-marked: run only where Julia exists ------------------------------------------------

@pytest.mark.julia
@pytest.mark.parametrize("method", ["cq", "cq-ket"])
def test_julia_cq_matches_lindblad(method):
    julia_or_skip()
    pytest.importorskip("qutip")
    problem = cqplug.Problem("toy", {"delta": 1.0, "gamma_q": 0.5}, t_final=3.0, save_dt=0.25)
    reference = cqplug.solve(problem, "lindblad", progress=False)
    result = cqplug.solve(problem, method, backend="julia", trajectories=100_000, seed=3, dt=2e-3, progress=False)
    assert_agrees(result, reference)
    assert result.step_error().lower <= 1


@pytest.mark.julia
@pytest.mark.parametrize("model", ["toy", "two-couplings"])
def test_julia_agrees_with_cpu(model):
    julia_or_skip()
    if model == "toy":
        problem = cqplug.Problem("toy", {"delta": 0.5, "q0": 1.0}, t_final=2.0, save_dt=0.25)
    else:
        problem = cqplug.Problem(two_couplings(), {"gamma_q": 1.0}, t_final=2.0, save_dt=0.25)
    cpu = cqplug.solve(problem, "cq", trajectories=100_000, seed=1, dt=2e-3, progress=False)
    julia = cqplug.solve(problem, "cq", backend="julia", trajectories=100_000, seed=2, dt=2e-3, progress=False)
    for name in cpu.observables:
        diff = julia.mean(name) - cpu.mean(name)
        err = np.hypot(julia.stderr(name), cpu.stderr(name))
        ok = err > 1e-9
        assert np.all(np.abs(diff[ok]) < 4.5 * err[ok]), name
