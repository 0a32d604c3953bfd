"""The plugin system: entry points of a real (throw-away) distribution, failures, laziness."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from cqplug.errors import UnknownName
from cqplug.plugins import build_registry

DEMO_PLUGIN = '''
"""A third-party plugin, written the way a user would: a model in its own package."""
import numpy as np
from cqplug import hookimpl


def tilted_oscillator():
    """Oscillator coupled to a qubit through its momentum (demo plugin)."""
    import cqplug
    s = cqplug.pauli_matrices()
    return cqplug.Model(
        "tilted",
        coordinates=["x"], momenta=["k"],
        parameters={"g": 0.5, "kappa": 0.2, "eta": 0.4},
        classical_hamiltonian="k**2/2 + x**2/2",
        couplings=[("g*k", s["sx"])],
        channels=[("position-decoherence", {"operator": "k", "rate": "kappa"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "eta"})],
        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(1.0, 0.0), np.array([1, 0], complex)),
    )


@hookimpl
def cqplug_register_models(register):
    register("tilted", tilted_oscillator)
'''

BROKEN_PLUGIN = 'raise ImportError("this plugin is deliberately broken")\n'

FAILING_HOOK_PLUGIN = '''
from cqplug import hookimpl

@hookimpl
def cqplug_register_models(register):
    raise RuntimeError("registration blew up")
'''


@pytest.fixture
def plugin_site(tmp_path, monkeypatch):
    """A directory holding a throw-away distribution 'demo-cqplug-plugins' with three entry points."""
    (tmp_path / "demo_cqplug_plugin.py").write_text(DEMO_PLUGIN)
    (tmp_path / "broken_cqplug_plugin.py").write_text(BROKEN_PLUGIN)
    (tmp_path / "failing_hook_plugin.py").write_text(FAILING_HOOK_PLUGIN)
    info = tmp_path / "demo_cqplug_plugins-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-cqplug-plugins\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(textwrap.dedent("""
        [cqplug]
        demo = demo_cqplug_plugin
        broken = broken_cqplug_plugin
        failing-hook = failing_hook_plugin
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def _cli(args, site, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(site) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "cqplug.cli", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)


def test_entry_point_plugin_is_registered_and_failures_are_isolated(plugin_site):
    registry = build_registry()
    assert registry.get("models", "tilted").distribution == "demo-cqplug-plugins 0.1"
    assert "toy" in registry.names("models")  # built-ins unaffected by the broken plugins
    assert {"cq", "cq-ket", "mean-field", "lindblad"} <= set(registry.names("methods"))
    failures = {f.plugin: f.reason for f in registry.failures}
    assert "deliberately broken" in failures["broken"]
    assert "registration blew up" in failures["failing-hook"]


def test_cli_lists_and_runs_a_third_party_model(plugin_site, tmp_path):
    listed = _cli(["list"], plugin_site, tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "tilted" in listed.stdout and "demo-cqplug-plugins 0.1" in listed.stdout
    failed_section = listed.stdout.split("failed plugins:")[1]
    assert "broken" in failed_section and "deliberately broken" in failed_section

    out = tmp_path / "tilted.json"
    run = _cli(["run", "tilted", "-n", "1000", "--seed", "1", "--t-final", "1", "--dt", "0.01", "-o", str(out), "-q"],
               plugin_site, tmp_path)
    assert run.returncode == 0, run.stderr
    data = json.loads(out.read_text())
    assert data["info"]["model"] == "tilted"
    # the model starts in a coherent state at x = 1: <x>(0) = 1 and <x>(t) = cos t on average
    assert abs(data["observables"]["x"]["mean"][0] - 1.0) < 5 * data["observables"]["x"]["stderr"][0]


def test_unknown_name_lists_what_exists():
    registry = build_registry()
    with pytest.raises(UnknownName, match="available methods: .*cq-ket.*lindblad"):
        registry.get("methods", "euler")


def test_registration_imports_nothing_heavy():
    code = ("import sys, cqplug.plugins as p; r = p.get_registry(); assert r.names('backends');"
            "print(sorted(m for m in ('numba', 'qutip', 'juliacall', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_registries_built_after_use_still_register_factories():
    """Building a registry after every built-in factory has run (and imported its submodules)
    must give the same factories: a factory named like its submodule would be replaced by the
    module on the package, and a second registry would register the module."""
    first = build_registry()
    for kind in ("models", "methods"):
        for name in first.names(kind):
            first.create(kind, name)
    second = build_registry()
    for kind in ("models", "channels", "methods", "backends"):
        for name in second.names(kind):
            assert callable(second.get(kind, name).factory) and not isinstance(second.get(kind, name).factory,
                                                                                type(sys)), (kind, name)
    assert second.create("methods", "cq").name == "cq"
