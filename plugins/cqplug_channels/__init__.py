"""Built-in channel types, each a list of the four public primitives of :mod:`cqplug.model.channels`.

Double-commutator channels (``-gamma [X, [X, rho]] = 2 gamma D[X]``):

* ``classical-decoherence`` {operator, rate}: X(z) real and linear (position q: momentum diffusion);
* ``coupling-dephasing`` {rate, coupling | weights}: X a coupling operator or a combination.

Lindblad channels (``rate D[J]``, ``D[J] rho = J rho J^+ - {J^+ J, rho}/2``):

* ``amplitude-damping`` {rate, n_thermal = 0}: the lowering operator of Q, with n_thermal > 0 also the
  raising one: ``rate (n + 1) D[sigma_-] + rate n D[sigma_+]``, a thermal qubit bath;
* ``thermal-oscillator`` {rate, n_thermal | temperature, coordinate = "q", momentum = "p", m = "m",
  omega = "omega"}: ``rate (n + 1) D[a] + rate n D[a^+]``, a = sqrt(m omega/2) (q + i p/(m omega)); friction
  -(rate/2) z and diffusion, whose stationary state is the Gibbs state, n = 1/(exp(omega/T) - 1);
* ``dephasing`` {operator, rate}: ``rate D[X]`` for a Hermitian X on Q (a matrix or a Pauli name such as
  "z" or "XZ"), not necessarily in the coupling span; coherences between eigenvalues x_i, x_k decay at
  rate (x_i - x_k)^2 / 2;
* ``depolarizing`` {rate}: ``rate (1/d - rho)``, relaxation to the maximally mixed state at ``rate``.

``position-decoherence`` (cqplug 0.1) is a deprecated alias of ``classical-decoherence``.

``rate`` is a parameter name; n_thermal, temperature, m and omega are numbers or expressions of the
model's parameters.
"""

from cqplug.deprecation import deprecated_alias
from cqplug.hookspecs import hookimpl


def classical_decoherence(operator, rate):
    """Decoherence of C in a phase-space operator X(z) linear in z (position q: momentum diffusion)."""
    from cqplug.model.channels import ClassicalDecoherence

    return [ClassicalDecoherence(operator, rate)]


def coupling_dephasing(rate, coupling=None, weights=None):
    """Dephasing of Q in a coupling operator L_a (``coupling=a``) or a combination (``weights``)."""
    from cqplug.model.channels import QuantumDephasing

    return [QuantumDephasing(rate, coupling=coupling, weights=None if weights is None else tuple(weights))]


def amplitude_damping(rate, n_thermal=0):
    """Decay of Q down its ladder of levels (index 0 the highest: sigma_z = +1 for a qubit, QuTiP's
    sigmam()), rate (n_thermal + 1) D[sigma_-] + rate n_thermal D[sigma_+]: a thermal qubit bath."""
    from cqplug.model.channels import QuantumLindblad

    n = _occupation("amplitude-damping", n_thermal)
    channels = [QuantumLindblad(_lowering, rate, scale=_plus_one(n), name="sigma_-")]
    if n != 0:
        channels.append(QuantumLindblad(_raising, rate, scale=n, name="sigma_+"))
    return channels


def thermal_oscillator(rate, n_thermal=None, temperature=None, coordinate="q", momentum="p", m="m", omega="omega"):
    """An oscillator (coordinate, momentum; mass m, frequency omega) in a thermal bath of occupation
    n_thermal, or at ``temperature`` (n = 1/(exp(omega/T) - 1)): rate (n + 1) D[a] + rate n D[a^+]."""
    from cqplug.errors import InvalidProblem
    from cqplug.model.channels import ClassicalLindblad

    if n_thermal is not None and temperature is not None:
        raise InvalidProblem("channel 'thermal-oscillator': give n_thermal or temperature, not both")
    if temperature is not None:
        if _is_number(temperature) and not float(temperature) > 0:
            raise InvalidProblem(f"channel 'thermal-oscillator': temperature must be > 0, got {temperature!r} "
                                 "(for the ground state, give n_thermal=0)")
        n = f"1/(exp(({omega})/({temperature})) - 1)"
    else:
        n = _occupation("thermal-oscillator", 0 if n_thermal is None else n_thermal)
    a = f"sqrt(({m})*({omega})/2)*({coordinate} + I*{momentum}/(({m})*({omega})))"
    a_dagger = f"sqrt(({m})*({omega})/2)*({coordinate} - I*{momentum}/(({m})*({omega})))"
    channels = [ClassicalLindblad(a, rate, scale=_plus_one(n))]
    if n != 0:
        channels.append(ClassicalLindblad(a_dagger, rate, scale=n))
    return channels


def dephasing(operator, rate):
    """rate D[X] for a Hermitian operator X on Q: a matrix, or a Pauli name ("x", "sigma_z", "XZ")."""
    import numpy as np

    from cqplug.errors import InvalidProblem
    from cqplug.model.channels import QuantumLindblad

    name = ""
    if isinstance(operator, str):
        from cqplug.analysis.quantum_info import pauli_string

        name = operator
        label = operator.lower().removeprefix("sigma_")
        try:
            operator = pauli_string(label[1] if label in ("sx", "sy", "sz") else label)
        except ValueError as exc:
            raise InvalidProblem(f"channel 'dephasing': {exc}") from None
    matrix = np.asarray(operator.full() if hasattr(operator, "full") else operator, dtype=complex)
    if matrix.ndim == 2 and matrix.shape[0] == matrix.shape[1] and not np.allclose(matrix, matrix.conj().T):
        raise InvalidProblem("channel 'dephasing': the operator must be Hermitian; for any other operator "
                             "use cqplug.QuantumLindblad(J, rate)")
    return [QuantumLindblad(matrix, rate, name=name)]


def depolarizing(rate):
    """rate (1/d - rho) = rate sum_jk D[|j><k| / sqrt(d)]: relaxation of Q to the maximally mixed state."""
    from cqplug.model.channels import QuantumLindblad

    return [QuantumLindblad(_matrix_units, rate, name="|j><k|/sqrt(d)")]


def _matrix_units(d):
    """The d^2 matrix units |j><k| / sqrt(d) as a (d^2, d, d) stack."""
    import numpy as np

    return np.eye(d * d, dtype=complex).reshape(d * d, d, d) / np.sqrt(d)


def _lowering(d):
    import numpy as np

    return np.eye(d, k=-1, dtype=complex)  # |k+1><k|: index 0 is the highest level


def _raising(d):
    return _lowering(d).T.copy()


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _occupation(channel: str, n):
    from cqplug.errors import InvalidProblem

    if _is_number(n):
        if not n >= 0 or n == float("inf"):
            raise InvalidProblem(f"channel {channel!r}: n_thermal must be a finite number >= 0, got {n!r}")
        return float(n)
    if isinstance(n, str):
        return n
    raise InvalidProblem(f"channel {channel!r}: n_thermal must be a number or a parameter expression, got {n!r}")


def _plus_one(n):
    return n + 1 if _is_number(n) else f"({n}) + 1"


@hookimpl
def cqplug_register_channels(register):
    register("classical-decoherence", classical_decoherence)
    register("position-decoherence", deprecated_alias("position-decoherence", "classical-decoherence",
                                                      classical_decoherence))
    register("coupling-dephasing", coupling_dephasing)
    register("amplitude-damping", amplitude_damping)
    register("thermal-oscillator", thermal_oscillator)
    register("dephasing", dephasing)
    register("depolarizing", depolarizing)
