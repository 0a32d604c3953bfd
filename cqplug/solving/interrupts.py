"""Interruptions a long run must survive: Ctrl-C (SIGINT) and SIGTERM, what cluster schedulers send
at wall-time limits.

``terminate_as_interrupt()`` makes SIGTERM raise :class:`Terminated` (a KeyboardInterrupt) in the
main thread, so a run stopped by a scheduler keeps its finished blocks exactly as Ctrl-C does.
``deferred_interrupts()`` holds both signals back while a result is being written and delivers
them once the file is complete, so an interruption never costs a finished result.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


class Terminated(KeyboardInterrupt):
    """SIGTERM, delivered as an interruption (exit status 143 on the command line)."""


def _raise_terminated(signum, frame):
    raise Terminated()


@contextmanager
def terminate_as_interrupt():
    """SIGTERM raises Terminated inside the block (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def deferred_interrupts():
    """Hold SIGINT and SIGTERM until the block ends, then deliver the first one that arrived."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []

    def hold(signum, frame):
        received.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            raise Terminated() if received[0] == signal.SIGTERM else KeyboardInterrupt()
