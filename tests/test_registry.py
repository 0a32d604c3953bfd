"""The plugin system: entry points of real (throw-away) distributions, built-in precedence,
transactional registration, hook hygiene, isolated failures, cheap registration."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from cqplug import hookimpl
from cqplug.errors import InvalidProblem, UnknownName
from cqplug.registry import build_registry, get_registry

DEMO = '''
"""A third-party plugin: a model of its own, and an attempt at a built-in's name."""
from cqplug import hookimpl


def tilted_oscillator():
    """Oscillator coupled to a qubit through its momentum (demo plugin)."""
    import numpy as np
    import cqplug
    s = cqplug.pauli_matrices()
    return cqplug.Model(
        "tilted", coordinates=["x"], momenta=["k"], parameters={"g": 0.5, "kappa": 0.2, "eta": 0.4},
        classical_hamiltonian="k**2/2 + x**2/2", couplings=[("g*k", s["sx"])],
        channels=[("classical-decoherence", {"operator": "k", "rate": "kappa"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "eta"})],
        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(1.0, 0.0, m=1.0, omega=1.0),
                                                    np.array([1, 0], complex)),
    )


def impostor():
    """Not the toy model."""
    raise AssertionError("the impostor must never be called")


@hookimpl
def cqplug_register_models(register):
    register("tilted", tilted_oscillator)
    register("toy", impostor)
    register("shared-name", tilted_oscillator)
'''

OTHER = '''
from cqplug import hookimpl


def other():
    """Another distribution's model."""


@hookimpl
def cqplug_register_models(register):
    register("shared-name", other)
    register("other-model", other)
'''

PARTIAL = '''
from cqplug import hookimpl


def first():
    """Registered before the hook fails."""


@hookimpl
def cqplug_register_models(register):
    register("half-registered", first)
    raise RuntimeError("registration blew up")
'''

MISSPELLED = '''
from cqplug import hookimpl


@hookimpl
def cqplug_register_model(register):
    register("never", print)


def cqplug_register_methods(register):
    register("never-either", print)
'''


def distribution(root, name, modules, entry_points):
    for module, source in modules.items():
        (root / f"{module}.py").write_text(source)
    info = root / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[cqplug]\n" + "\n".join(f"{k} = {v}" for k, v in entry_points.items()))


@pytest.fixture
def plugin_site(tmp_path, monkeypatch):
    distribution(
        tmp_path,
        "demo-plugins",
        {
            "demo_plugin": DEMO,
            "broken_plugin": 'raise ImportError("deliberately broken")',
            "partial_plugin": PARTIAL,
            "misspelled_plugin": MISSPELLED,
        },
        {
            "aaa-demo": "demo_plugin",
            "broken": "broken_plugin",
            "partial": "partial_plugin",
            "misspelled": "misspelled_plugin",
        },
    )
    distribution(tmp_path, "other-plugins", {"other_plugin": OTHER}, {"other": "other_plugin"})
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def reasons(registry) -> dict:
    out = {}
    for f in registry.failures:
        out.setdefault(f.plugin, []).append(f.reason)
    return out


@pytest.mark.unit
def test_a_plugin_cannot_take_a_built_in_name_and_keeps_its_others(plugin_site):
    registry = build_registry()
    toy = registry.get("models", "toy")
    assert toy.builtin and toy.distribution.startswith("cqplug ")
    assert registry.get("models", "tilted").distribution == "demo-plugins 0.1"
    assert any("'toy' is built in" in r and "rename yours" in r for r in reasons(registry)["aaa-demo"])


@pytest.mark.unit
def test_two_plugins_claiming_one_name_both_lose_it_and_are_both_named(plugin_site):
    registry = build_registry()
    assert "shared-name" not in registry.names("models")
    assert "other-model" in registry.names("models")
    for plugin in ("aaa-demo", "other"):
        text = " ".join(reasons(registry)[plugin])
        assert "'shared-name' is registered by several plugins" in text
        assert "demo-plugins 0.1" in text and "other-plugins 0.1" in text


@pytest.mark.unit
def test_a_hook_that_raises_registers_nothing(plugin_site):
    registry = build_registry()
    assert "half-registered" not in registry.names("models")
    assert "registration blew up (nothing of it was registered)" in " ".join(reasons(registry)["partial"])


@pytest.mark.unit
def test_misspelled_and_undecorated_hooks_are_reported(plugin_site):
    text = " ".join(reasons(build_registry())["misspelled"])
    assert "unknown hook 'cqplug_register_model'" in text
    assert "cqplug_register_methods is not decorated with @cqplug.hookimpl" in text


@pytest.mark.unit
def test_broken_plugins_are_isolated(plugin_site):
    registry = build_registry()
    assert "deliberately broken" in " ".join(reasons(registry)["broken"])
    assert {"cq", "cq-ket", "mean-field", "lindblad"} <= set(registry.names("methods"))


@pytest.mark.unit
def test_unknown_name_lists_what_exists():
    with pytest.raises(UnknownName, match="available methods: .*cq-ket.*lindblad"):
        build_registry().get("methods", "euler")


@pytest.mark.integration
def test_cli_lists_and_runs_a_third_party_model(plugin_site, tmp_path):
    env = {"PYTHONPATH": str(plugin_site)}
    import os

    env = os.environ | env
    listed = subprocess.run(
        [sys.executable, "-m", "cqplug.cli", "list"], capture_output=True, text=True, env=env, timeout=300
    )
    assert listed.returncode == 0, listed.stderr
    assert "tilted" in listed.stdout and "demo-plugins 0.1" in listed.stdout
    failed = listed.stdout.split("failed plugins:")[1]
    assert "deliberately broken" in failed and "is built in" in failed
    out = tmp_path / "tilted.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "cqplug.cli",
            "run",
            "tilted",
            "-n",
            "2000",
            "--seed",
            "1",
            "--t-final",
            "1",
            "-o",
            str(out),
            "-q",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    import json

    data = json.loads(out.read_text())
    # the model starts in a coherent state at x = 1 and its <x>(t) = cos t on average
    x, err = data["observables"]["x"]["mean"], data["observables"]["x"]["stderr"]
    assert abs(x[0] - 1.0) < 5 * err[0]


@pytest.mark.integration
def test_registration_imports_nothing_heavy():
    code = textwrap.dedent("""
        import sys, cqplug.registry as r
        reg = r.get_registry()
        assert reg.names('backends') and not reg.failures, reg.failures
        print(sorted(m for m in ('numba', 'qutip', 'juliacall', 'matplotlib', 'jax', 'sympy', 'scipy')
                     if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.unit
def test_registries_built_after_use_still_register_factories():
    """A factory named like its submodule would be replaced by the module once imported."""
    first = build_registry()
    for kind in ("models", "methods"):
        for name in first.names(kind):
            first.create(kind, name)
    second = build_registry()
    for kind in ("models", "channels", "methods", "backends"):
        for name in second.names(kind):
            assert callable(second.get(kind, name).factory) and not isinstance(
                second.get(kind, name).factory, type(sys)
            ), (kind, name)


class _Raising:
    """A plugin whose model factory fails the way an outdated plugin does (ImportError of a name)."""

    @staticmethod
    def broken():
        """A model whose factory raises."""
        from cqplug import NoSuchName  # noqa: F401

    @hookimpl
    def cqplug_register_models(self, register):
        register("broken-model", self.broken)


@pytest.mark.unit
def test_a_factory_that_raises_is_one_line_naming_the_plugin(monkeypatch, cli):
    """Exit status 2 and one line (plugin, distribution, factory, exception); --debug adds the traceback."""
    import cqplug.registry as registry_module

    registry = build_registry(extra_plugins=[("raising", _Raising())])
    monkeypatch.setattr(registry_module, "_registry", registry)
    run = cli("run", "broken-model", "-n", "10")
    assert run.code == 2
    assert run.err.count("\n") == 1 and "plugin 'raising' ((registered in code))" in run.err
    assert "model 'broken-model'" in run.err and "ImportError" in run.err and "NoSuchName" in run.err
    debug = cli("--debug", "run", "broken-model", "-n", "10")
    assert debug.code == 2 and "Traceback" in debug.err and debug.err.count("NoSuchName") >= 2


@pytest.mark.unit
def test_bad_factory_options_are_bad_input_not_a_plugin_failure():
    with pytest.raises(InvalidProblem, match="channel 'amplitude-damping'.*unexpected keyword argument 'temperature'"):
        get_registry().channel("amplitude-damping", rate="r", temperature=1.0)


@pytest.mark.unit
def test_deprecated_channel_name_and_coherent_state_signature_of_0_1(cli):
    """0.1's "position-decoherence" is an alias of "classical-decoherence" with one DeprecationWarning;
    coherent_state(q0, p0, m, omega) takes m and omega positionally again, and still requires them."""
    import cqplug
    from cqplug import deprecation

    deprecation._warned.discard("the name 'position-decoherence'")
    with pytest.warns(DeprecationWarning, match="'position-decoherence' is deprecated.*removed in 0.4.0.*"
                                                 "'classical-decoherence'"):
        (old,) = get_registry().channel("position-decoherence", operator="q", rate="gamma_c")
    (new,) = get_registry().channel("classical-decoherence", operator="q", rate="gamma_c")
    assert old == new
    state = cqplug.coherent_state(1.0, -0.5, 2.0, 3.0)
    np.testing.assert_allclose(state.covariance, np.diag([1 / 12, 3.0]))
    with pytest.raises(InvalidProblem, match="give the oscillator's mass m and angular frequency omega"):
        cqplug.coherent_state(1.0, 0.0)


@pytest.mark.unit
def test_solve_takes_the_registry_positionally_as_in_0_1_with_a_warning():
    import cqplug
    from cqplug import deprecation

    problem = cqplug.Problem("toy", t_final=0.5, save_dt=0.25)
    deprecation._warned.clear()
    with pytest.warns(DeprecationWarning, match="registry positional.*removed in 0.4.0.*registry="):
        result = cqplug.solve(problem, "mean-field", "cpu", get_registry(), trajectories=64, seed=1, progress=False)
    again = cqplug.solve(problem, "mean-field", "cpu", registry=get_registry(), trajectories=64, seed=1, progress=False)
    np.testing.assert_array_equal(result.mean("q2"), again.mean("q2"))
