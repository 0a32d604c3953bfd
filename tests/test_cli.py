"""The command line: one-line errors before any work, what a run prints and saves, the reference
after the saved result, signals, plugin options, and the commands that explain a model."""

import json
import os
import signal
import subprocess

import numpy as np
import pytest

import cqplug

from .helpers import interruptible, wait_for_cpu

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("args, fragment", [
    (["-p", "bogus=1"], "has no parameter 'bogus'"),
    (["-p", "lamda=1"], "has no parameter 'lamda' (did you mean 'lam'?)"),
    (["--method", "cq-kett"], "unknown method 'cq-kett' (did you mean 'cq-ket'?)"),
    (["-O", "kernal=looped"], "unknown option 'kernal' (did you mean 'kernel'?)"),
    (["-p", "lam=abc"], "parameter lam must be a number"),
    (["-p", "lam"], "expected NAME=VALUE"),
    (["-p", "lam=1", "-p", "lam=2"], "given twice"),
    (["--trajectories", "many"], "expected a whole number"),
    (["-n", "1.5"], "expected a whole number"),
    (["-p", "gamma_c=-1"], "negative"),
    (["-p", "gamma_q=0.1"], "gamma_q must be >= 0.25"),
    (["--method", "nope"], "available methods"),
    (["--backend", "nope"], "available backends"),
    (["--trajectories", "0"], "trajectories must be a positive integer"),
    (["--dt", "-1"], "dt must be a positive number"),
    (["--t-final", "0"], "t_final must be a positive number"),
    (["--t-final", "1", "--save-dt", "0.3"], "does not divide t_final"),
    (["--hist-range", "q=-inf:inf"], "must be finite"),
    (["-O", "solver=EM"], "unknown option 'solver'"),
    (["-o", "result.txt"], "ending in .json or .npz or .nc"),
    (["-o", "missing-directory/r.json"], "does not exist"),
    (["--plot", "figure.jpgx"], "ending in .png or .pdf or .svg"),
])
def test_bad_input_is_one_line_exit_2_before_any_work(cli, tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    import cqplug.solving.solve as solving

    monkeypatch.setattr(solving, "solve", lambda *a, **k: pytest.fail("work started before the input was checked"))
    run = cli("run", "toy", *args, "-o", tmp_path / "r.json") if "-o" not in args else cli("run", "toy", *args)
    assert run.code == 2, run.err
    assert fragment in run.err and run.err.strip().count("\n") == 0
    assert not (tmp_path / "r.json").exists()


def test_output_directory_that_is_a_file_or_not_writable_is_refused(cli, tmp_path):
    assert "is a directory" in cli("run", "toy", "-o", tmp_path).err or cli("run", "toy", "-o", tmp_path).code == 2
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        run = cli("run", "toy", "-o", locked / "r.json")
        assert run.code == 2 and "not writable" in run.err
    finally:
        locked.chmod(0o700)


def test_integral_floats_are_accepted_as_counts(cli, tmp_path):
    run = cli("run", "toy", "-n", "1e3", "--t-final", "0.5", "--seed", "1", "-q", "-o", tmp_path / "r.json")
    assert run.code == 0, run.err
    assert cqplug.Result.load(tmp_path / "r.json").info.trajectories == 1000


def test_run_prints_units_dt_origin_and_step_error(cli):
    run = cli("run", "toy", "-n", "2000", "--seed", "4", "--t-final", "1", "-q")
    assert run.code == 0, run.err
    assert "units: hbar = 1" in run.out and "automatic, limited by the" in run.out
    assert "step error (dt =" in run.out


def test_a_changed_time_step_is_stated(cli):
    run = cli("run", "toy", "-n", "600", "--seed", "4", "--t-final", "1", "--save-dt", "0.25", "--dt", "0.5", "-q")
    assert run.code == 0 and "note: dt 0.5 -> 0.125" in run.out


def test_reference_result_is_saved_first_and_compared_with_a_verdict(cli, tmp_path):
    pytest.importorskip("qutip")
    out = tmp_path / "r.json"
    run = cli("run", "toy", "-n", "20000", "--seed", "1", "--t-final", "1", "--reference", "-o", out, "-q")
    assert run.code == 0, run.err
    assert "exact reference (lindblad): Fock truncation N = " in run.out
    assert "states per classical degree of freedom" in run.out
    assert "verdict: max |z| = " in run.out and "comparisons" in run.out
    data = json.loads(out.read_text())
    assert set(data["reference"]) == set(data["observables"])
    t = np.array(data["times"])  # the stored reference is exact: physics.md §6
    np.testing.assert_allclose(data["reference"]["q2"], 0.5 + (1 - np.cos(t)) ** 2 + 0.25 * (t - np.sin(2 * t) / 2),
                               atol=1e-5)


def test_a_failing_reference_keeps_the_trajectory_result(cli, tmp_path):
    pytest.importorskip("qutip")
    out = tmp_path / "r.json"
    run = cli("run", "toy", "-n", "1000", "--seed", "1", "--t-final", "1", "--reference", "-O", "max_states=10",
              "-o", out, "-q")
    assert run.code == 2 and "the exact reference failed" in run.err and str(out) in run.err
    assert cqplug.Result.load(out).info.trajectories == 1000


def test_interrupting_the_reference_keeps_the_trajectory_result(cli, tmp_path, monkeypatch):
    pytest.importorskip("qutip")
    from cqplug_lindblad.reference import LindbladReference

    def interrupted(self, problem, shared, options):
        raise KeyboardInterrupt

    monkeypatch.setattr(LindbladReference, "solve", interrupted)
    out = tmp_path / "r.json"
    run = cli("run", "toy", "-n", "1000", "--seed", "1", "--t-final", "1", "--reference", "-o", out, "-q")
    assert run.code == 130 and "interrupted during the exact reference" in run.err
    assert out.exists() and "Traceback" not in run.err


def test_reference_of_the_closed_dynamics_is_allowed_for_mean_field(cli, tmp_path):
    """The paper's key comparison: mean-field against the exact closed (gamma = 0) dynamics."""
    pytest.importorskip("qutip")
    run = cli("run", "toy", "--method", "mean-field", "-p", "gamma_c=0", "-p", "gamma_q=0", "--t-final", "2",
              "-n", "2000", "--seed", "1", "--reference", "-q", "-o", tmp_path / "r.json")
    assert run.code == 0, run.err
    assert "NOT consistent with exactness" in run.out  # mean-field misses the branching


def test_lindblad_results_are_strict_json(cli, tmp_path):
    pytest.importorskip("qutip")
    out = tmp_path / "exact.json"
    run = cli("run", "toy", "--method", "lindblad", "--t-final", "1", "-o", out)
    assert run.code == 0, run.err
    json.loads(out.read_text(), parse_constant=lambda c: pytest.fail(f"non-standard constant {c}"))
    assert "toy with lindblad: Fock truncation N = " in run.out


def test_reference_options_are_routed_and_listed(cli):
    pytest.importorskip("qutip")
    run = cli("run", "toy", "--method", "lindblad", "--t-final", "1", "-O", "truncation=20")
    assert run.code == 0 and "Fock truncation N = 20 states" in run.out and "fixed by the user, not checked" in run.out
    listed = cli("run", "--method", "lindblad", "--help")
    assert listed.code == 0 and "options of the method lindblad" in listed.out
    assert "truncation (default estimated, then increased until converged)" in listed.out
    assert "(default: 60)" in cli("run", "--help").out  # every default shown


def test_check_describe_and_derive_explain_the_model(cli):
    check = cli("check", "two-oscillators")
    assert check.code == 0 and "16*gamma_1*gamma_c >= lam1^2 and 16*gamma_2*gamma_c >= lam2^2" in check.out
    describe = cli("describe", "toy")
    assert describe.code == 0 and "gamma_q = 0.25: dephasing rate of the qubit" in describe.out
    assert "[1/time]" in describe.out and "16*gamma_c*gamma_q >= lam^2" in describe.out
    derive = cli("derive", "toy")
    assert derive.code == 0 and "dp/dt = -<sigma_z>*lam - m*omega^2*q" in derive.out
    latex = cli("derive", "toy", "--latex")
    assert latex.code == 0 and r"\begin{align}" in latex.out and r"\geq" in latex.out


def test_new_plugin_refuses_registered_names_and_missing_directories(cli, tmp_path):
    assert "already registered" in cli("new-plugin", "toy", "--directory", tmp_path).err
    run = cli("new-plugin", "mine", "--directory", tmp_path / "missing" / "deeper")
    assert run.code == 2 and "does not exist" in run.err and not (tmp_path / "missing").exists()


def _long_run(python, out, *extra):
    return subprocess.Popen(
        [
            python,
            "-m",
            "cqplug.cli",
            "run",
            "toy",
            "-n",
            "100000000",
            "--dt",
            "0.002",
            "--seed",
            "1",
            "-o",
            str(out),
            "-q",
            "--workers",
            "1",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signals_keep_the_finished_blocks(python, tmp_path, sig, code):
    out = tmp_path / "r.json"
    process = _long_run(python, out)
    try:
        wait_for_cpu(process.pid, 15.0)  # imports and compiling take well under 10 s of CPU: blocks were run
        process.send_signal(sig)
        _, err = process.communicate(timeout=300)
    finally:
        process.kill()  # never left running after a failure
    assert process.returncode == code, err
    data = json.loads(out.read_text())
    assert data["info"]["partial"] is True and data["info"]["trajectories"] > 0
    assert "Traceback" not in err and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_closed_pipe_is_not_an_error(python):
    run = subprocess.run(
        f"{python} -m cqplug.cli check toy | head -1", shell=True, capture_output=True, text=True, timeout=120
    )
    assert run.stdout.startswith("model toy") and "Traceback" not in run.stderr and "BrokenPipe" not in run.stderr
