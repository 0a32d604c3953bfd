"""The documentation: docs/plugins.md's examples run and do what they say, and the site builds in
strict mode with the hook reference and the executed tutorials in it."""

import math
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import cqplug
from cqplug import hookspecs
from cqplug.registry import build_registry

from .helpers import assert_agrees, assert_power

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "plugins.md"
EXAMPLES = ("doc_model", "doc_channel", "doc_method", "doc_backend")


def example_modules():
    """The first four python blocks (model, channel, method, backend) as importable modules."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    modules = []
    for name, code in zip(EXAMPLES, blocks[: len(EXAMPLES)]):
        module = types.ModuleType(name)
        exec(compile(code, f"{DOC}:{name}", "exec"), module.__dict__)
        modules.append((name, module))
    return modules


@pytest.fixture(scope="module")
def registry():
    registry = build_registry(extra_plugins=example_modules())
    assert not [f for f in registry.failures if f.plugin.startswith("doc_")], registry.failures
    return registry


def test_every_example_registers_its_name(registry):
    assert "momentum-coupled" in registry.names("models")
    assert "phase-space-decoherence" in registry.names("channels")
    assert "noisy-mean-field" in registry.names("methods")
    assert "numpy-euler" in registry.names("backends")


def test_example_model_matches_its_exact_reference(registry):
    # omega = 1.3, a quantum Hamiltonian, a momentum coupling: not the toy
    model = registry.create("models", "momentum-coupled")
    problem = cqplug.Problem(model, save_dt=0.25, registry=registry)
    assert problem.exact
    reference = cqplug.solve(problem, "lindblad", registry=registry)
    result = cqplug.solve(problem, "cq", registry=registry, trajectories=60_000, seed=3, progress=False)
    assert_agrees(result, reference)
    assert_power(result, reference, fraction=0.03, names=["x", "k", "sz", "ksx"])


def test_example_channel_diffuses_both_quadratures(registry):
    s = cqplug.pauli_matrices()
    model = cqplug.Model(
        "doc-channel-check", coordinates=["q"], momenta=["p"], parameters={"lam": 0.5, "g": 0.3, "gq": 1.0},
        classical_hamiltonian="p**2/2 + q**2/2", couplings=[("lam*q", s["sz"])],
        channels=[("phase-space-decoherence", {"rate": "g"}), ("coupling-dephasing", {"coupling": 0, "rate": "gq"})],
        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(m=1.0, omega=1.0), np.array([1, 0])),
    )
    problem = cqplug.Problem(model, registry=registry)
    np.testing.assert_allclose(problem.D2, 2 * 0.3 * np.eye(2))  # -g[q,[q,.]] -> p diffusion, -g[p,[p,.]] -> q


def test_example_method_has_diffusion_but_no_branching(registry):
    # Page–Geilker set-up: with <sigma_z> = 0 the mean force vanishes, so noisy mean-field gives
    # <q^2> = 1/2 + gamma_c (t - sin 2t / 2), missing the exact lam^2 (1 - cos t)^2 (physics.md §6)
    problem = cqplug.Problem("toy", t_final=math.pi, save_dt=math.pi / 4, registry=registry)
    result = cqplug.solve(problem, "noisy-mean-field", registry=registry, trajectories=40_000, seed=4,
                          progress=False)
    t = problem.times
    diffusion_only = 0.5 + 0.25 * (t - np.sin(2 * t) / 2)
    err = result.stderr("q2")
    assert np.all(np.abs(result.mean("q2") - diffusion_only) < 4 * err + 1e-12)
    exact = diffusion_only + (1 - np.cos(t)) ** 2
    assert abs(result.mean("q2")[-1] - exact[-1]) > 20 * err[-1]  # and visibly not the exact answer


def test_example_backend_is_exact_within_its_step_error(registry):
    """The teaching backend (Euler-Maruyama, weak order 1) against the exact solution, its own
    step-error estimate included; at a coarse dt the estimate must see its bias."""
    problem = cqplug.Problem("toy", {"delta": 1.0, "gamma_q": 0.5}, t_final=2.0, save_dt=0.5, registry=registry)
    reference = cqplug.solve(problem, "lindblad", registry=registry)
    result = cqplug.solve(problem, "cq", backend="numpy-euler", registry=registry, trajectories=20_000,
                          seed=5, dt=2.5e-3, progress=False)
    assert result.info.backend == "numpy-euler" and result.info.weak_order == 1
    for name in ("q2", "sx", "qsz"):  # t > 0 (at t = 0 all is exact)
        error = (result.mean(name) - reference.mean(name))[1:]
        z = error / np.hypot(result.stderr(name), np.abs(result.bias(name)))[1:]
        assert np.max(np.abs(z)) < 4.5, (name, z)
    coarse = cqplug.solve(problem, "cq", backend="numpy-euler", registry=registry, trajectories=4_000,
                          seed=6, dt=0.025, progress=False)
    error = (coarse.mean("sx") - reference.mean("sx"))[1:]
    visible = np.abs(error) > 5 * coarse.stderr("sx")[1:]
    assert visible.any()  # Euler at dt = 0.025 is visibly biased ...
    assert np.all(np.abs(coarse.bias("sx"))[1:][visible] > 0.5 * np.abs(error[visible]))  # ... and says so


def test_site_builds_strict_with_the_hook_reference(tmp_path):
    """mkdocs build --strict (broken links fail it) with no executed example failing; the hook
    reference pages carry every hookspec's docstring."""
    pytest.importorskip("mkdocs")
    site = tmp_path / "site"
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)], cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    for page in site.glob("*.html"):  # markdown-exec shows a failing block's traceback in the page and goes on
        assert "Traceback (most recent call last)" not in page.read_text(), page.name
    hooks = (site / "hooks.html").read_text()  # page.html links: the site works opened from disk
    for name in ("cqplug_register_models", "cqplug_register_channels", "cqplug_register_methods",
                 "cqplug_register_backends"):
        first_line = getattr(hookspecs, name).__doc__.strip().splitlines()[0]
        assert name in hooks and first_line.split("(")[0] in hooks, name
    cli = (site / "cli.html").read_text()
    assert "cqplug run" in cli and "--target-error" in cli  # the CLI reference is the live --help
    physics = (site / "physics.html").read_text()  # equations for MathJax, the live derivation among them
    assert physics.count('class="arithmatex"') >= 8 and r"\langle \sigma_{z} \rangle" in physics
    assert 'href="physics.html' in (site / "index.html").read_text()
