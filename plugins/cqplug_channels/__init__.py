"""Built-in channel types, in the double-commutator convention -gamma [X, [X, rho]]."""

from cqplug.hookspecs import hookimpl


def position_decoherence(operator, rate):
    """Decoherence of C in a linear phase-space operator X(z) (e.g. position q): momentum diffusion."""
    from cqplug.channels import ClassicalDecoherence

    return [ClassicalDecoherence(operator, rate)]


def coupling_dephasing(rate, coupling=None, weights=None):
    """Dephasing of Q in a coupling operator L_a (``coupling=a``) or a combination (``weights``)."""
    from cqplug.channels import QuantumDephasing

    return [QuantumDephasing(rate, coupling=coupling, weights=None if weights is None else tuple(weights))]


@hookimpl
def cqplug_register_channels(register):
    register("position-decoherence", position_decoherence)
    register("coupling-dephasing", coupling_dephasing)
