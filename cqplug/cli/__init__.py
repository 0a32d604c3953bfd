"""The command line: ``cqplug`` (see :mod:`cqplug.cli.main`)."""

from .main import main

__all__ = ["main"]
