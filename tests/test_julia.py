"""The Julia backend: always-run checks (no Julia needed) and Julia-marked runs where Julia exists.

Without Julia: every .jl file and the Julia code generated for two models parse cleanly
(tree-sitter-julia and fatou) and use no name Julia lacks; juliapkg accepts juliapkg.json; the
wheel carries the Julia sources; the arrays handed to Julia are the standard form's (whose
equations tests/test_standard_form.py checks, and tests/test_jax.py integrates against the
exact solution); the version check refuses a Julia out of range, and juliapkg, given the Julia
cqplug checked, never calls juliaup; choosing the backend fails fast without importing juliacall.
With a stand-in for juliacall (tests/fake_juliacall: Julia's behaviour at the Python boundary, no
Julia): the command line starts it before NumPy and says what a first start costs, a diverged
trajectory is a counted TrajectoryDiverged of its kind, and Ctrl-C and SIGTERM keep the finished
blocks. Julia-marked tests run the real backend where Julia exists (a few minutes).
"""

import importlib
import json
import os
import shutil
import signal
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
JULIA_ENVIRONMENT = {k: v for k, v in os.environ.items() if k.startswith(("PYTHON_JULIA", "CQPLUG_JULIA"))}
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


def test_the_domain_safe_prelude_parses_and_covers_what_the_printer_emits(tmp_path):
    """CQPlug.jl evaluates DOMAIN_SAFE before each model's source: it must parse and lint, and define
    the functions (and ^ for a Rational exponent) that the printer emits for a model, unqualified."""
    import re

    import sympy as sp

    from cqplug.system.phase_space import JuliaPrinter, PhaseSpaceFunction, z_symbol

    text = (ROOT / "julia" / "CQPlug.jl").read_text()
    prelude = re.search(r'const DOMAIN_SAFE = """\n(.*?)"""', text, re.S).group(1).replace("\\$", "$")
    assert tree_sitter_errors(prelude.encode()) == []
    (tmp_path / "prelude.jl").write_text(prelude)
    assert fatou_errors([tmp_path / "prelude.jl"]) == []
    q, p = z_symbol(0), z_symbol(1)
    f = PhaseSpaceFunction("f", (sp.sqrt(q) + sp.log(p) + q ** sp.Rational(3, 2) + sp.acos(q) + sp.asin(p),))
    source = JuliaPrinter().function(f, 2, 0)
    for name in ("sqrt", "log", "acos", "asin"):
        assert f"{name}(z_" in source and f"{name}(x::Float64)" in prelude
    assert "z_0 ^ (3 // 2)" in source and "^(x::Float64, y::Real)" in prelude and "Base." not in source


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
    """The smallest package set holding DRI1, RI5 and EM: the two StochasticDiffEq 7 sublibraries,
    not the umbrella (whose install precompiles implicit, leaping and ROCK solvers too)."""
    deps = pytest.importorskip("juliapkg.deps")
    compat, packages = deps.find_requirements()
    by_name = {p.name: p for p in packages}
    assert by_name["StochasticDiffEqWeak"].uuid == "af2a2fcd-1c36-4cbe-a6d0-5afda784a085"
    assert by_name["StochasticDiffEqLowOrder"].uuid == "d15fe365-ce7f-450a-828a-7985bd5b681b"
    assert by_name["DiffEqNoiseProcess"].uuid == "77a26b50-5914-5dd7-bc55-306e6241c503"
    assert by_name["SciMLBase"].uuid == "0bca4576-84f4-4d90-8ffe-ffa030f20462"
    assert not {"StochasticDiffEq", "DifferentialEquations"} & set(by_name)
    source = (ROOT / "julia" / "CQPlug.jl").read_text()
    for name in by_name:  # every package the module loads is declared, and only those
        assert f"using {name}" in source or f"import {name}" in source, name


@pytest.fixture
def no_julia(monkeypatch, tmp_path):
    """An environment with no Julia executable, and the bridge's cached state cleared. Every variable
    the bridge may write is restored afterwards (setenv first records its original absence), and so
    is juliapkg's copy of the executable."""
    bridge = importlib.import_module("cqplug_julia.bridge")
    monkeypatch.setenv("PATH", str(tmp_path))
    for var in ("PYTHON_JULIACALL_EXE", "PYTHON_JULIAPKG_EXE", "PYTHON_JULIACALL_PROJECT"):
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)
    state = sys.modules.get("juliapkg.state")
    if state is not None:
        monkeypatch.setitem(state.STATE, "override_executable", state.STATE.get("override_executable"))
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


def test_the_checks_above_leave_the_environment_as_they_found_it():
    """Runs after the tests that export a fake Julia (file order): none of it leaks into later tests."""
    assert {k: v for k, v in os.environ.items() if k.startswith(("PYTHON_JULIA", "CQPLUG_JULIA"))} == JULIA_ENVIRONMENT
    state = sys.modules.get("juliapkg.state")
    before = JULIA_ENVIRONMENT.get("PYTHON_JULIAPKG_EXE")
    assert state is None or state.STATE.get("override_executable") in (None, before)


@pytest.mark.skipif(os.name != "posix", reason="fake executables are shell scripts")
def test_juliapkg_uses_the_checked_julia_and_never_calls_juliaup(tmp_path):
    """juliapkg reads PYTHON_JULIAPKG_EXE once, when it is imported: the bridge exports it first, so
    juliapkg's own search (the one it runs when juliacall starts: install and upgrade allowed)
    returns the checked Julia although a juliaup sits beside it. A fresh process, as a user's."""
    pytest.importorskip("juliapkg")
    fake_executable(tmp_path, "julia", "1.11.2")
    juliaup_calls = fake_executable(tmp_path, "juliaup", None)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON_JULIA", "CQPLUG_JULIA"))}
    env |= {"PATH": f"{tmp_path}{os.pathsep}{os.path.dirname(sys.executable)}",
            "PYTHON_JULIAPKG_PROJECT": str(tmp_path / "project")}
    code = ("from cqplug_julia import bridge; bridge.check_julia()\n"
            "import juliapkg.deps, juliapkg.find_julia, juliapkg.state\n"
            "compat = juliapkg.deps.find_requirements()[0]\n"
            "exe, _ = juliapkg.find_julia.find_julia(compat, prefix=juliapkg.state.STATE['install'], install=True, "
            "upgrade=True)\n"
            "print(exe)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == str(tmp_path / "julia")
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


# --- the command line against a stand-in for juliacall (no Julia) -----------------------------

FAKE_JULIACALL = ROOT / "tests" / "fake_juliacall"
# `python -m cqplug.cli`, with Ctrl-C raising KeyboardInterrupt even where the suite runs in a background
# shell (which starts it with SIGINT ignored); set in the child itself, so no preexec_fn has to run
# Python between fork and exec in this (multithreaded) test process
INTERRUPTIBLE_CLI = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                     "runpy.run_module('cqplug.cli', run_name='__main__', alter_sys=True)")


def fake_julia_run(tmp_path, *args, mode="ok", signal_after_blocks=None, sleep=0.3):
    """``cqplug run toy --backend julia ARGS`` in a fresh process whose juliacall is the stand-in and
    whose ``julia`` (1.11.2) is a script; with ``signal_after_blocks`` (signal, n), that signal is sent
    once n blocks have been integrated. Returns (CompletedProcess-like, the stand-in's log lines)."""
    fake_executable(tmp_path, "julia", "1.11.2")
    log = tmp_path / "julia.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON_JULIA", "CQPLUG_JULIA"))}
    env |= {"PATH": f"{tmp_path}{os.pathsep}{os.path.dirname(sys.executable)}",
            "PYTHONPATH": os.pathsep.join([str(FAKE_JULIACALL), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            "PYTHON_JULIAPKG_PROJECT": str(tmp_path / "project"), "FAKE_JULIA_LOG": str(log),
            "FAKE_JULIA_MODE": mode, "FAKE_JULIA_SLEEP": str(sleep)}
    command = [sys.executable, "-c", INTERRUPTIBLE_CLI, "run", "toy", "--backend", "julia", "--t-final", "0.5", "-q",
               *map(str, args)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if signal_after_blocks is not None:
        sig, blocks = signal_after_blocks
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            if log.exists() and log.read_text().count("block ") >= blocks:
                process.send_signal(sig)
                break
            time.sleep(0.05)
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(command, process.returncode, out, err), log.read_text().splitlines()


needs_posix = pytest.mark.skipif(os.name != "posix", reason="fake executables are shell scripts")


def test_a_long_first_start_prints_a_progress_line_on_schedule(capsys):
    bridge = importlib.import_module("cqplug_julia.bridge")
    with bridge.heartbeat("installing the Julia packages", every=0.1):
        time.sleep(0.35)
    lines = capsys.readouterr().err.splitlines()
    assert 2 <= len(lines) <= 4 and all(line.startswith("cqplug: still installing the Julia packages (") and
                                        line.endswith(" min so far)") for line in lines)
    time.sleep(0.25)
    assert capsys.readouterr().err == ""  # it stops with the block


@needs_posix
def test_the_command_line_starts_julia_before_numpy_and_says_what_a_first_start_costs(tmp_path):
    pytest.importorskip("juliapkg")
    run, log = fake_julia_run(tmp_path, "-n", 1024, "--seed", 1, "-o", tmp_path / "r.json")
    assert run.returncode == 0, run.stderr
    assert log[0] == "import numpy-loaded=False" and log[1] == "include CQPlug.jl"
    assert "first start of the julia backend" in run.stderr and "ready after" in run.stderr
    result = cqplug.load(tmp_path / "r.json")
    assert result.info.backend == "julia" and result.info.trajectories == 1024 and not result.partial


@needs_posix
@pytest.mark.parametrize("mode, kind", [("diverge-classical", "classical variables (q, p) ran away"),
                                        ("diverge-quantum", "quantum state lost its normalisation in 2 of")])
def test_a_diverged_julia_trajectory_is_counted_by_kind_not_a_crash(tmp_path, mode, kind):
    """The stand-in reports diverged trajectories (as CQPlug.jl counts them) after the pilot run and
    the first block: the run fails with the other backends' message of that kind and keeps the block."""
    pytest.importorskip("juliapkg")
    run, _ = fake_julia_run(tmp_path, "-n", 4096, "--workers", 1, "-o", tmp_path / "r.json", mode=mode)
    assert run.returncode == 1 and kind in run.stderr and "Traceback" not in run.stderr, run.stderr
    kept = cqplug.load(tmp_path / "r.json")
    assert kept.partial and kept.info.trajectories == 512


@needs_posix
@pytest.mark.parametrize("sig, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_ctrl_c_and_sigterm_keep_the_finished_julia_blocks(tmp_path, sig, status):
    """The stand-in blocks SIGINT and SIGTERM as Julia's signal handling does; the bridge gives them
    back to Python, so the run stops (here within the stand-in's block, which is Python; in Julia,
    after it) and saves the blocks it finished. Without the bridge's unblocking the signal would
    stay pending and the run would not stop."""
    pytest.importorskip("juliapkg")
    run, log = fake_julia_run(tmp_path, "-n", 51200, "-o", tmp_path / "r.json", mode="slow",
                              signal_after_blocks=(sig, 3))
    assert run.returncode == status, run.stderr
    result = cqplug.load(tmp_path / "r.json")
    started = sum(line.startswith("block ") for line in log) - 1  # blocks begun, the pilot run not counted
    assert result.partial and 512 <= result.info.trajectories <= started * 512 < 51200


def test_only_an_interruption_crossing_julia_is_re_raised_as_one():
    from cqplug_julia.backend import raise_interruption

    from cqplug.solving.interrupts import Terminated

    with pytest.raises(KeyboardInterrupt) as caught:
        raise_interruption(RuntimeError("InterruptException:"))
    assert type(caught.value) is KeyboardInterrupt
    with pytest.raises(Terminated):
        raise_interruption(RuntimeError("Python: Terminated: "))
    raise_interruption(RuntimeError("solve ended with ReturnCode.Terminated"))  # an error, not a signal: returns


@needs_posix
def test_an_interrupt_inside_julia_is_a_ctrl_c(tmp_path):
    pytest.importorskip("juliapkg")
    run, _ = fake_julia_run(tmp_path, "-n", 1024, "-o", tmp_path / "r.json", mode="interrupt")
    assert run.returncode == 130 and "interrupted" in run.stderr and "InterruptException" not in run.stderr


# --- Julia-marked: run only where Julia exists ------------------------------------------------

# Sized for minutes on a CI machine with Julia (after the packages are installed): 40,000 trajectories
# of 500 fine and 250 coarse steps each; the weak-order-2 solvers' step error at dt = 4e-3 is far
# below the statistical error, which the step-error assertion checks.
JULIA_TRAJECTORIES, JULIA_DT = 40_000, 4e-3


@pytest.mark.julia
@pytest.mark.parametrize("method", ["cq", "cq-ket"])
def test_julia_cq_matches_lindblad(method):
    julia_or_skip()
    pytest.importorskip("qutip")
    problem = cqplug.Problem("toy", {"delta": 1.0, "gamma_q": 0.5}, t_final=2.0, save_dt=0.25)
    reference = cqplug.solve(problem, "lindblad", progress=False)
    result = cqplug.solve(problem, method, backend="julia", trajectories=JULIA_TRAJECTORIES, seed=3, dt=JULIA_DT,
                          progress=False)
    assert_agrees(result, reference)
    assert result.step_error().lower <= 1


@pytest.mark.julia
def test_julia_counts_a_runaway_trajectory_as_classical_divergence():
    """A potential unbounded below: trajectories run away; Julia stops each one, counts it, and the
    run ends with the message every backend gives (not a Julia error)."""
    julia_or_skip()
    problem = cqplug.Problem(spin_oscillator(kind="anharmonic"), {"a": -0.5}, t_final=6.0)
    with pytest.raises(CQPlugError, match=r"classical variables \(q, p\) ran away"):
        cqplug.solve(problem, "cq", backend="julia", trajectories=2000, seed=1, progress=False)


@pytest.mark.julia
@pytest.mark.parametrize("model", ["toy", "two-couplings"])
def test_julia_agrees_with_cpu(model):
    julia_or_skip()
    if model == "toy":
        problem = cqplug.Problem("toy", {"delta": 0.5, "q0": 1.0}, t_final=2.0, save_dt=0.25)
    else:
        problem = cqplug.Problem(two_couplings(), {"gamma_q": 1.0}, t_final=2.0, save_dt=0.25)
    cpu = cqplug.solve(problem, "cq", trajectories=JULIA_TRAJECTORIES, seed=1, dt=JULIA_DT, progress=False)
    julia = cqplug.solve(problem, "cq", backend="julia", trajectories=JULIA_TRAJECTORIES, seed=2, dt=JULIA_DT,
                         progress=False)
    for name in cpu.observables:
        diff = julia.mean(name) - cpu.mean(name)
        err = np.hypot(julia.stderr(name), cpu.stderr(name))
        ok = err > 1e-9
        assert np.all(np.abs(diff[ok]) < 4.5 * err[ok]), name
