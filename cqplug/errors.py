"""Exceptions raised by cqplug.

Every error a user can cause derives from :class:`CQPlugError`; its message says what was
wrong and how to fix it, in one line, so the command line can print it as it is.
"""


def did_you_mean(name: str, known) -> str:
    """" (did you mean 'toy'?)" for a close misspelling of one of ``known``, else ""."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class CQPlugError(Exception):
    """Base class of the errors caused by input (the CLI prints them and exits with status 2)."""


class InvalidProblem(CQPlugError, ValueError):
    """A model, its parameters, its initial state or the time grid is not acceptable."""


class PositivityViolation(InvalidProblem):
    """The decoherence–diffusion trade-off fails: the dynamics is not a valid (positive) CQ theory."""


class UnknownName(CQPlugError, LookupError):
    """A model, channel, method or backend name that no loaded plugin provides."""

    def __str__(self):  # LookupError would print the repr of the message
        return str(self.args[0])


class PluginFailed(CQPlugError, RuntimeError):
    """A plugin's factory raised: the message names the plugin, its distribution and the exception."""


class BackendUnavailable(CQPlugError, RuntimeError):
    """The requested backend cannot run here (missing optional dependency, no Julia, ...)."""


class RunFailed(CQPlugError):
    """A run failed part-way (e.g. a trajectory diverged); ``partial_result`` holds what finished."""

    def __init__(self, message, partial_result=None):
        super().__init__(message)
        self.partial_result = partial_result
