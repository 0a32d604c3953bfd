"""Built-in channel types, in the double-commutator convention -gamma [X, [X, rho]]."""

from cqplug.hookspecs import hookimpl


def classical_decoherence(operator, rate):
    """Decoherence of C in a phase-space operator X(z) linear in z (position q: momentum diffusion)."""
    from cqplug.model.channels import ClassicalDecoherence

    return [ClassicalDecoherence(operator, rate)]


def coupling_dephasing(rate, coupling=None, weights=None):
    """Dephasing of Q in a coupling operator L_a (``coupling=a``) or a combination (``weights``)."""
    from cqplug.model.channels import QuantumDephasing

    return [QuantumDephasing(rate, coupling=coupling, weights=None if weights is None else tuple(weights))]


@hookimpl
def cqplug_register_channels(register):
    register("classical-decoherence", classical_decoherence)
    register("coupling-dephasing", coupling_dephasing)
