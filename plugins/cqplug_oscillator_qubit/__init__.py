"""Built-in model "toy": the oscillator–qubit model of Layton 2026 (arXiv:2604.08024)."""

from cqplug.hookspecs import hookimpl


def toy_model():
    """Oscillator (q, p) coupled to a qubit through lam q sigma_z; the seed paper's toy model."""
    from .model import oscillator_qubit

    return oscillator_qubit()


@hookimpl
def cqplug_register_models(register):
    register("toy", toy_model)
