"""Built-in unravellings: "cq" (exact, density matrix), "cq-ket" (exact, pure states), "mean-field"."""

from cqplug.hookspecs import hookimpl


def cq():
    """Exact CQ trajectories: density matrix conditioned on the classical path, shared noise."""
    from .cq import CQ

    return CQ()


def cq_ket():
    """Exact CQ trajectories with pure states; independent noise for dephasing beyond saturation."""
    from .cq_ket import CQKet

    return CQKet()


def mean_field():
    """Ehrenfest mean-field: C feels <force>, no noise; ensemble over sampled initial z (not exact)."""
    from .mean_field import MeanField

    return MeanField()


@hookimpl
def cqplug_register_methods(register):
    register("cq", cq)
    register("cq-ket", cq_ket)
    register("mean-field", mean_field)
