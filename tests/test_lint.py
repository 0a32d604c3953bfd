"""The code is ruff clean with the project's configuration (pyproject.toml: lines <= 120, no
blanket noqa), so CI's one test command also lints."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    if shutil.which("ruff") is None and subprocess.run([sys.executable, "-m", "ruff", "--version"],
                                                       capture_output=True).returncode != 0:
        pytest.skip("ruff is not installed (pip install '.[test]')")
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_blanket_noqa():
    offenders = []
    for path in [*ROOT.glob("cqplug/**/*.py"), *ROOT.glob("plugins/**/*.py"), *ROOT.glob("tests/*.py"),
                 *ROOT.glob("benchmarks/*.py"), *ROOT.glob("examples/**/*.py")]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "# noqa" in line and "# noqa:" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, offenders
