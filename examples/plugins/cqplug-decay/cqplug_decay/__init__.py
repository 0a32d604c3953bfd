"""cqplug plugin: two environments built from the public primitives only, and a model using them.

* channel ``spontaneous-emission`` {rate}: the qubit decays, ``rate D[sigma_-]``;
* channel ``oscillator-damping`` {rate, m, omega}: the oscillator loses energy to a bath at zero
  temperature, ``rate D[a]`` with a = sqrt(m omega / 2) (q + i p / (m omega));
* model ``decaying-toy``: the toy model of cqplug with both.

No backend, method or core file knows these channels: cqplug integrates any ``QuantumLindblad``
and ``ClassicalLindblad`` exactly.
"""

import cqplug
from cqplug import hookimpl

SIGMA_MINUS = [[0, 0], [1, 0]]  # |1><0|: from sigma_z = +1 down to sigma_z = -1


def spontaneous_emission(rate):
    """The qubit decays to sigma_z = -1: rate D[sigma_-]."""
    return [cqplug.QuantumLindblad(SIGMA_MINUS, rate, name="sigma_-")]


def oscillator_damping(rate, m="m", omega="omega"):
    """The oscillator is damped by a zero-temperature bath: rate D[a] (friction -rate/2 and diffusion)."""
    return [cqplug.ClassicalLindblad(f"sqrt({m}*{omega}/2)*(q + I*p/({m}*{omega}))", rate)]


def decaying_toy():
    """The toy model with a decaying qubit and a damped oscillator."""
    from .model import decaying_toy as make

    return make()


@hookimpl
def cqplug_register_channels(register):
    register("spontaneous-emission", spontaneous_emission)
    register("oscillator-damping", oscillator_damping)


@hookimpl
def cqplug_register_models(register):
    register("decaying-toy", decaying_toy)
