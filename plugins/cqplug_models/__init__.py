"""Built-in models beyond the toy: each is plain data for the core (no model-specific code
anywhere else), and each states whether its CQ description is exact."""

from cqplug.hookspecs import hookimpl


def stern_gerlach_model():
    """Free particle whose position couples to a spin-1/2 through a field gradient (CQ measurement)."""
    from .stern_gerlach import stern_gerlach

    return stern_gerlach()


def mediated_qubits_model():
    """Two qubits coupled to one oscillator (d = 4): a classical mediator cannot entangle them."""
    from .mediated_qubits import mediated_qubits

    return mediated_qubits()


def two_oscillators_model():
    """Two coupled oscillators (n = 2) driving a qubit through non-commuting couplings."""
    from .two_oscillators import two_oscillators

    return two_oscillators()


def anharmonic_model():
    """Quartic (anharmonic) oscillator coupled to a qubit: the CQ description is approximate."""
    from .anharmonic import anharmonic

    return anharmonic()


def spin_boson_model():
    """A qubit in an Ohmic bath of 100 classical modes (spin-boson; exact, cost linear in the modes)."""
    from .spin_boson import spin_boson

    return spin_boson(100, "ohmic")


def spin_boson_drude_model():
    """A qubit in a Drude-Lorentz bath of 100 classical modes (spin-boson)."""
    from .spin_boson import spin_boson

    return spin_boson(100, "drude-lorentz")


@hookimpl
def cqplug_register_models(register):
    register("stern-gerlach", stern_gerlach_model)
    register("mediated-qubits", mediated_qubits_model)
    register("two-oscillators", two_oscillators_model)
    register("anharmonic", anharmonic_model)
    register("spin-boson", spin_boson_model)
    register("spin-boson-drude", spin_boson_drude_model)
