"""The compiled system: the backend-neutral SDE every backend integrates, its phase-space functions
and their printers, and the choice of time step."""

from .compiled import CompiledSystem, LinearFlow, compile_system

__all__ = ["CompiledSystem", "LinearFlow", "compile_system"]
