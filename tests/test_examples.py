"""The example scripts run in --quick mode, assert the physics they illustrate (each exits with
status 1 and the failed claim otherwise: see examples/_common.check) and write their figure."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
pytest.importorskip("qutip")
pytest.importorskip("matplotlib")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = ["mean_field_failure", "cq_trajectories", "page_geilker", "positivity_boundary", "mean_field_validity",
           "thermalisation", "spin_boson", "stern_gerlach_readout"]


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_runs_and_its_checks_pass(name, tmp_path):
    figure = tmp_path / f"{name}.png"
    run = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), "--quick", "--output", str(figure)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "[FAIL]" not in run.stdout and run.stdout.count("[PASS]") >= 2
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and figure.stat().st_size > 5_000
