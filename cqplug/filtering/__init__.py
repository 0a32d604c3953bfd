"""The hybrid filter: the quantum state conditioned on a recorded classical path, the path's likelihood,
and parameter estimation from it (:mod:`.filter`, :mod:`.result`, :mod:`.likelihood`)."""

from .filter import filter, loglikelihood
from .likelihood import curvature_estimate, likelihood_profile, maximum_likelihood
from .result import FilterResult

__all__ = ["FilterResult", "curvature_estimate", "filter", "likelihood_profile", "loglikelihood",
           "maximum_likelihood"]
