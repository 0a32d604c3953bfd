"""cqplug plugin: registers the model "spin-one" (an oscillator coupled to a spin-1)."""

from cqplug import hookimpl


def spin_one():
    """Oscillator coupled to a spin-1 through lam q S_z (d = 3): three branches."""
    from .model import spin_one_oscillator

    return spin_one_oscillator()


@hookimpl
def cqplug_register_models(register):
    register("spin-one", spin_one)
