"""Built-in model "toy": the oscillator–qubit model of Layton 2026 (arXiv:2604.08024).

The model is assembled from the paper's pieces: ``oscillator`` (C), ``qubit`` (Q), ``coupling``
(the interaction and the two decoherence channels); ``model`` puts them together.
"""

from cqplug.hookspecs import hookimpl


def toy_model():
    """Oscillator (q, p) coupled to a qubit through lam q sigma_z; the seed paper's toy model."""
    from .model import toy

    return toy()


@hookimpl
def cqplug_register_models(register):
    register("toy", toy_model)
