"""What a method is: data that tells ``solve`` what to do, never a driver of its own.

* A :class:`TrajectoryMethod` (an unravelling: ``cq``, ``cq-ket``, ``mean-field``) says which
  quantum state its trajectories carry and how it chooses the noise terms (classical noise
  sigma, measurement strengths K, unconditioned dephasing E; :mod:`cqplug.problem.terms`).
  ``solve`` compiles the system, runs the ensemble on a backend and assembles the result.
* A :class:`ReferenceMethod` (``lindblad``) computes a result by other means: ``solve`` calls its
  ``solve(problem, options)``.

Either may declare its own options as a dataclass ``Options`` (see :mod:`cqplug.solving.options`).
"""

from __future__ import annotations


class _Named:
    """``name``: the registered name (the registry sets it); the class name for an object used
    without registering it."""

    name = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__


class TrajectoryMethod(_Named):
    """An unravelling. Subclasses set ``state`` ("density" or "ket") and implement ``terms``.

    ``needs_valid_cq``: refuse problems whose rates violate the trade-off (the exact CQ
    unravellings need it; mean-field is defined, and wrong, at any rates).
    """

    state = "density"
    needs_valid_cq = True
    Options = None

    def terms(self, problem):
        """The noise terms (cqplug.problem.TrajectoryTerms) of ``problem`` under this method."""
        raise NotImplementedError


class ReferenceMethod(_Named):
    """A method that is not made of trajectories. Implement ``solve(problem, options) -> Result``."""

    needs_valid_cq = False
    Options = None

    def solve(self, problem, options):
        raise NotImplementedError
