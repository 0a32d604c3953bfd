"""Model authoring as a user does it: a plugin in its own package, pip-installed, found through
its entry point and run through the CLI; and the `cqplug new-plugin` scaffold, whose package
installs, registers its model and passes its own tests.

Packages are installed with pip into a temporary directory (``--target``, offline with
``--no-build-isolation``) that only the subprocesses see, so the test environment is untouched.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cqplug import Result

from .helpers import cqplug_cli, pip_install

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
SPIN_ONE = ROOT / "examples" / "plugins" / "cqplug-spin-one"


@pytest.fixture(scope="module")
def spin_one_env(tmp_path_factory):
    return pip_install(SPIN_ONE, tmp_path_factory.mktemp("site"))


def test_example_plugin_is_listed_with_its_distribution(spin_one_env):
    listing = cqplug_cli(spin_one_env, "list")
    assert listing.returncode == 0, listing.stderr
    line = next(i for i, text in enumerate(listing.stdout.splitlines()) if text.strip().startswith("spin-one "))
    assert "cqplug-spin-one" in listing.stdout.splitlines()[line + 1]
    assert "failed plugins" not in listing.stdout


def test_example_plugin_runs_through_the_cli_and_matches_the_reference(spin_one_env, tmp_path):
    pytest.importorskip("qutip")
    common = ["-p", "delta=0.5", "--t-final", "2", "--save-dt", "0.25", "--quiet"]
    run = cqplug_cli(spin_one_env, "run", "spin-one", *common, "-n", "40000", "--seed", "3",
                  "-o", str(tmp_path / "cq.json"))
    assert run.returncode == 0, run.stderr
    ref = cqplug_cli(spin_one_env, "run", "spin-one", *common, "--method", "lindblad",
                     "-o", str(tmp_path / "exact.json"))
    assert ref.returncode == 0, ref.stderr
    cq, exact = Result.load(tmp_path / "cq.json"), Result.load(tmp_path / "exact.json")
    assert cq.info.model == "spin-one" and cq.info.trajectories == 40_000
    for name in ("Sx", "Sz2", "qSz", "q2"):
        err = cq.stderr(name)[1:]
        z = (cq.mean(name)[1:] - exact.mean(name)[1:]) / err
        assert np.abs(z).max() < 4, f"{name}: max |z| {np.abs(z).max():.1f}"
    assert 0.02 * np.ptp(exact.mean("Sx")) > 4 * cq.stderr("Sx").max()  # a 2 % bug in <S_x> would show


def test_example_plugin_refuses_too_little_decoherence_through_the_cli(spin_one_env):
    run = cqplug_cli(spin_one_env, "check", "spin-one", "-p", "gamma_q=0.1")
    assert run.returncode == 2 and "gamma_q must be >= 0.25" in run.stderr


def test_new_plugin_scaffold_installs_and_passes_its_own_tests(tmp_path):
    made = cqplug_cli(os.environ, "new-plugin", "double-well", "--directory", str(tmp_path))
    assert made.returncode == 0, made.stderr
    package = tmp_path / "cqplug-double-well"
    assert sorted(p.name for p in package.iterdir()) == ["README.md", "cqplug_double_well", "pyproject.toml", "tests"]
    env = pip_install(package, tmp_path / "site")
    check = cqplug_cli(env, "check", "double-well")
    assert check.returncode == 0 and "EXACT" in check.stdout, check.stderr
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests")],
                           env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert tests.returncode == 0 and "3 passed" in tests.stdout, tests.stdout + tests.stderr


@pytest.mark.parametrize("name, message", [("Double_Well", "lower-case letters"), ("2well", "starting with a letter")])
def test_new_plugin_refuses_bad_names(tmp_path, name, message):
    made = cqplug_cli(os.environ, "new-plugin", name, "--directory", str(tmp_path))
    assert made.returncode == 2 and message in made.stderr and not any(tmp_path.iterdir())


def test_new_plugin_never_overwrites(tmp_path):
    (tmp_path / "cqplug-mine").mkdir()
    made = cqplug_cli(os.environ, "new-plugin", "mine", "--directory", str(tmp_path))
    assert made.returncode == 2 and "already exists" in made.stderr


LEGACY = ROOT / "tests" / "plugins" / "cqplug-legacy"


@pytest.mark.parametrize("model, trajectories, names", [
    ("legacy-momentum", 200_000, ["x", "k", "sz", "ksx"]), ("legacy-qutrit", 200_000, ["q2", "Sz2"])])
def test_a_plugin_written_for_cqplug_0_1_runs_with_one_warning_per_old_spelling(model, trajectories, names, tmp_path):
    """tests/plugins/cqplug-legacy is a plugin as a 0.1 user wrote it: the channel "position-decoherence",
    coherent_state(q0, p0, m, omega) positional, ``from cqplug.channels import ...``. Installed with pip it
    runs through the CLI, agrees with the exact reference, and each old spelling prints one deprecation line."""
    pytest.importorskip("qutip")
    env = pip_install(LEGACY, tmp_path / "site")
    common = ["--t-final", "2", "--save-dt", "0.25", "--quiet"]
    run = cqplug_cli(env, "run", model, *common, "-n", str(trajectories), "--seed", "8",
                     "-o", str(tmp_path / "cq.json"), "--reference")
    assert run.returncode == 0, run.stderr
    deprecations = [line for line in run.stderr.splitlines() if line.startswith("cqplug: deprecated:")]
    assert len(deprecations) == 2, run.stderr
    assert any("'position-decoherence'" in line and "'classical-decoherence'" in line and "0.4.0" in line
               for line in deprecations)
    assert any("module cqplug.channels" in line and "cqplug.model.channels" in line for line in deprecations)
    result = Result.load(tmp_path / "cq.json")
    exact = result.reference
    for name in names:
        z = (result.mean(name)[1:] - exact[name][1:]) / result.stderr(name)[1:]
        assert np.abs(z).max() < 4.5, f"{name}: max |z| {np.abs(z).max():.1f}"
    assert 0.02 * np.ptp(exact[names[-1]]) > 4 * result.stderr(names[-1]).max()
