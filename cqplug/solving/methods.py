"""What a method is: data that tells ``solve`` what to do, never a driver of its own.

* A :class:`TrajectoryMethod` (an unravelling: ``cq``, ``cq-ket``, ``mean-field``) says which
  quantum state its trajectories carry and how it chooses the noise terms (classical noise
  sigma, measurement strengths K, unconditioned dephasing E; :mod:`cqplug.problem.terms`).
  ``solve`` compiles the system, runs the ensemble on a backend and assembles the result.
* A :class:`ReferenceMethod` (e.g. the built-in exact reference) computes a result by other means:
  ``solve`` calls its ``solve(problem, shared, options)``.

Either may declare its own options as a dataclass ``Options`` (see :mod:`cqplug.solving.options`).
A trajectory method reads them as ``self.options`` in ``terms``; a reference method receives them.
"""

from __future__ import annotations

import copy


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
    options = None  # an instance of Options (its defaults unless the run gave values), set by with_options

    def with_options(self, options):
        """A copy of this method carrying ``options`` (an ``Options`` instance) as ``self.options``;
        ``solve`` calls it with the values the run gave (``-O NAME=VALUE`` on the command line)."""
        configured = copy.copy(self)
        configured.options = options
        return configured

    def terms(self, problem):
        """The noise terms (cqplug.problem.TrajectoryTerms) of ``problem`` under this method
        (its options, if it declares any, are ``self.options``)."""
        raise NotImplementedError


class ReferenceMethod(_Named):
    """A method that is not made of trajectories. Implement ``solve(problem, shared, options) ->
    Result`` (``shared``: the run's :class:`~cqplug.solving.options.SolveOptions`, of which bins,
    hist_range and progress apply; ``options``: an instance of ``Options``, or None) and return a
    deterministic result (:func:`cqplug.results.assembly.deterministic_result`, whose ``summary`` is
    the one line shown about how it was computed).

    ``exact``: True when the method solves the model's full quantum master equation to a stated
    tolerance; ``cqplug run --reference`` then compares trajectory runs with it.
    ``check_available()``: raise :class:`cqplug.BackendUnavailable` (fast) when an optional
    dependency is missing, so a run that will need the reference is refused before any work.
    """

    needs_valid_cq = False
    exact = False
    Options = None

    def check_available(self) -> None:
        """Raise BackendUnavailable when the method cannot run here (default: it can)."""

    def solve(self, problem, shared, options):
        raise NotImplementedError
