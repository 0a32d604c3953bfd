"""Built-in unravellings: "cq" (exact, density matrix), "cq-ket" (exact, pure states), "mean-field".

Factories are named ``*_method``, never like a submodule: importing ``.cq`` rebinds the package
attribute ``cq`` to the submodule, and a registry built later would register the module."""

from cqplug.hookspecs import hookimpl


def cq_method():
    """Exact CQ trajectories: density matrix conditioned on the classical path, shared noise."""
    from .cq import CQ

    return CQ()


def cq_ket_method():
    """Exact CQ trajectories with pure states; independent noise for dephasing beyond saturation."""
    from .cq_ket import CQKet

    return CQKet()


def mean_field_method():
    """Ehrenfest mean-field: C feels <force>, no noise; ensemble over sampled initial z (not exact)."""
    from .mean_field import MeanField

    return MeanField()


@hookimpl
def cqplug_register_methods(register):
    register("cq", cq_method)
    register("cq-ket", cq_ket_method)
    register("mean-field", mean_field_method)
