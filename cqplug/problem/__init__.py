"""A model made concrete (parameters, channels, initial state, times), its positivity trade-off and
the noise terms each unravelling uses."""

from .problem import Problem
from .terms import TrajectoryTerms, cq_terms, mean_field_terms
from .tradeoff import TradeOff, required_scale, trade_off

__all__ = ["Problem", "TradeOff", "TrajectoryTerms", "cq_terms", "mean_field_terms", "required_scale", "trade_off"]
