"""Shared fixtures: an in-process command line, a registry with extra plugins, small models.

Tiers (pytest marks, see pyproject.toml): ``unit`` (no ensemble, under a minute in all),
``integration`` (end-to-end runs, CLI, plugins, Dask, docs) and ``statistical`` (Monte Carlo
against exact solutions with power checks). Every test module declares its tier.
"""

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

import pytest


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli():
    """Run ``cqplug ARGS`` in this process: returns Run(code, out, err)."""
    from cqplug.cli import main

    def run(*args) -> Run:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse: usage errors and --help
                code = exc.code if isinstance(exc.code, int) else 2
        return Run(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def python():
    """The interpreter running the tests (for subprocess checks: signals, imports, pipes)."""
    return sys.executable
