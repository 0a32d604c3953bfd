"""Results: statistics of ensembles, the Result object and its files, comparison with a reference,
figures."""

from .result import Result

__all__ = ["Result"]
