"""docs/plugins.md: its examples run, do what they say, and its hook reference matches hookspecs."""

import inspect
import math
import re
import types
from pathlib import Path

import numpy as np
import pytest

import cqplug
from cqplug import hookspecs
from cqplug.registry import build_registry

from .helpers import assert_agrees

DOC = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"


def example_modules():
    """The first three python blocks (model, channel, method) as importable modules."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    modules = []
    for name, code in zip(("doc_model", "doc_channel", "doc_method"), blocks[:3]):
        module = types.ModuleType(name)
        exec(compile(code, f"{DOC}:{name}", "exec"), module.__dict__)
        modules.append((name, module))
    return modules


@pytest.fixture(scope="module")
def registry():
    registry = build_registry(extra_plugins=example_modules())
    assert not [f for f in registry.failures if f.plugin.startswith("doc_")]
    return registry


def test_hook_reference_is_the_hookspec_docstrings():
    text = DOC.read_text()
    for name in ("cqplug_register_models", "cqplug_register_channels", "cqplug_register_methods",
                 "cqplug_register_backends"):
        assert f"```text\n{inspect.getdoc(getattr(hookspecs, name))}\n```" in text, name


def test_example_model_matches_its_exact_reference(registry):
    pytest.importorskip("qutip")
    model = registry.create("models", "momentum-coupled")
    problem = cqplug.Problem(model, t_final=2.0, save_dt=0.5, registry=registry)
    assert problem.exact
    reference = cqplug.solve(problem, "lindblad", registry=registry)
    result = cqplug.solve(problem, "cq", registry=registry, trajectories=40_000, seed=3, dt=2e-3)
    assert_agrees(result, reference)


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
    problem = cqplug.Problem("toy", t_final=math.pi, save_dt=math.pi / 4)
    result = cqplug.solve(problem, "noisy-mean-field", registry=registry, trajectories=40_000, seed=4, dt=2e-3)
    t = problem.times
    diffusion_only = 0.5 + 0.25 * (t - np.sin(2 * t) / 2)
    err = result.stderr("q2")
    assert np.all(np.abs(result.mean("q2") - diffusion_only) < 4 * err + 1e-12)
    exact = diffusion_only + (1 - np.cos(t)) ** 2
    assert abs(result.mean("q2")[-1] - exact[-1]) > 20 * err[-1]  # and visibly not the exact answer
