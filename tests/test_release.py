"""Release-ready packaging: the sdist and wheel build from the tracked files, pass ``twine check``, and
the wheel, installed into a fresh virtual environment outside the checkout, runs the toy model against
its reference, lists every built-in and carries the Julia sources, the scaffold templates and py.typed.

The venv sees the test environment's packages (``--system-site-packages``: NumPy, QuTiP, Numba are not
downloaded again) but its own cqplug, from the wheel and not editable, comes first; the test checks so.
"""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
BUILTINS = ["toy", "stern-gerlach", "mediated-qubits", "two-oscillators", "anharmonic", "classical-decoherence",
            "coupling-dephasing", "amplitude-damping", "thermal-oscillator", "dephasing", "depolarizing", "cq",
            "cq-ket", "mean-field", "lindblad", "cpu", "jax", "julia"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """sdist and wheel (the wheel built from the sdist) of the tracked files, in a copy of the checkout."""
    pytest.importorskip("build")
    work = tmp_path_factory.mktemp("release")
    source = work / "source"
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in tracked:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(work / "dist"), str(source)],
                   check=True, capture_output=True, text=True, timeout=600)
    return work / "dist"


def test_sdist_and_wheel_pass_twine_check_and_carry_their_data(dist):
    (wheel,) = dist.glob("cqplug-*.whl")
    (sdist,) = dist.glob("cqplug-*.tar.gz")
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    names = zipfile.ZipFile(wheel).namelist()
    tracked = subprocess.run(["git", "ls-files", "cqplug", "plugins"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    modules = {name.removeprefix("plugins/") for name in tracked if name.endswith(".py")}
    missing = modules - set(names)  # a package left out of pyproject's list installs without these
    assert not missing, sorted(missing)
    for needed in ("cqplug_julia/julia/CQPlug.jl", "cqplug_julia/juliapkg.json", "cqplug/py.typed",
                   "cqplug/scaffold/template/pyproject.toml.tmpl", "cqplug/scaffold/template/package/model.py.tmpl"):
        assert needed in names, needed
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    for field in ("License: MIT", "Requires-Python: >=3.10", "Classifier: Topic :: Scientific/Engineering :: Physics",
                  "Project-URL: Changelog", "Description-Content-Type: text/markdown"):
        assert field in metadata, field


def test_the_wheel_in_a_fresh_venv_runs_the_toy_and_lists_every_builtin(dist, tmp_path):
    pytest.importorskip("qutip")
    (wheel,) = dist.glob("cqplug-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--ignore-installed", str(wheel)],
                   check=True, capture_output=True, timeout=300)  # ignore a cqplug in the base site-packages
    code = "import cqplug, cqplug_cpu; print(cqplug.__file__, cqplug_cpu.__file__)"
    where = subprocess.run([str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert where.count(str(venv)) == 2, where  # the wheel's, not the checkout's
    cqplug = venv / "bin" / "cqplug"
    listing = subprocess.run([str(cqplug), "list"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert listing.returncode == 0 and "failed plugins" not in listing.stdout, listing.stdout + listing.stderr
    listed = {line.split()[0] for line in listing.stdout.splitlines() if line.startswith("  ") and line.split()}
    assert set(BUILTINS) <= listed, set(BUILTINS) - listed
    run = subprocess.run([str(cqplug), "run", "toy", "--reference", "-n", "20000", "--seed", "1", "--quiet"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "consistent with exactness" in run.stdout and "NOT consistent" not in run.stdout, run.stdout
