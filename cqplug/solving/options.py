"""Options: the shared ones of every trajectory run, declared once, and each plugin's own.

:class:`SolveOptions` is the single definition of the shared options: :func:`cqplug.solve`
validates keyword arguments against it and the command line builds its flags from the same
fields (their ``metadata`` holds the flag, the help text and how to read a value). A method or
backend declares its own options as a dataclass ``Options`` on its class (a reference method's
truncation, a backend's solver); in Python they are ordinary keyword arguments of ``solve``, on
the command line ``--option NAME=VALUE``. :func:`route_options` is the one place that decides
which of them a name belongs to.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import typing
from dataclasses import dataclass, field

from ..errors import CQPlugError, did_you_mean

DEFAULT_TRAJECTORIES = 10_000
DEFAULT_BACKEND = "cpu"  # the embedded compiled backend: works on any machine, no extras


def option(default, help: str, flag: str | None = None, short: str | None = None, cli: bool = True,
           shown: str | None = None, **extra):
    """A dataclass field with what the command line needs to know about it. ``shown``: how help
    states the default when the value alone does not say it (e.g. None meaning "all cores")."""
    return field(default=default, metadata={"help": help, "flag": flag, "short": short, "cli": cli, "shown": shown,
                                            **extra})


def shown_default(f: dataclasses.Field) -> str:
    """The default of an option as help prints it: its ``shown`` text, on/off, or the value."""
    if f.metadata.get("shown"):
        return f.metadata["shown"]
    if isinstance(f.default, bool) or f.default is None:
        return "on" if f.default else "off"
    return str(f.default)


@dataclass
class SolveOptions:
    """Options of every trajectory run (``cqplug run``'s shared flags)."""

    trajectories: int | None = option(None, "ensemble size; with --target-stderr or --target-error the cap on it",
                                      short="-n", shown=f"{DEFAULT_TRAJECTORIES}; with a target, no cap")
    seed: int | None = option(None, "master seed", shown="fresh entropy, recorded in the result")
    dt: float | None = option(None, "time step (shrunk so that every saved time is hit)",
                              shown="chosen from the problem's scales and recorded")
    step_error: bool = option(
        True,
        "also integrate each trajectory on the coarse grid 2 dt with the same noise "
        "and report the step error (--no-step-error: faster, but the step error is then unknown)",
    )
    extrapolate: bool = option(
        False,
        "report the Richardson-extrapolated means (one order higher in dt) with "
        "their standard errors instead of the fine-grid means",
    )
    target_stderr: float | None = option(
        None,
        "stop once every observable's standard error is below this, at every saved time (--trajectories is the cap)",
    )
    target_error: float | None = option(
        None,
        "run until every observable's total error (statistical and step) "
        "is below this, refining dt and adding trajectories as needed "
        "(multilevel Monte Carlo)",
    )
    workers: int | None = option(
        None,
        "threads running blocks in parallel; with executor dask and no scheduler, the worker processes of the "
        "LocalCluster",
        shown="all cores",
    )
    executor: object = option(
        "local", "where blocks run: threads here (local) or a Dask cluster (dask)", choices=("local", "dask")
    )
    scheduler: object = option(
        None, "with --executor dask: the scheduler's address", metavar="ADDRESS", shown="a LocalCluster here"
    )
    chunk_size: int | None = option(
        None, "trajectories per task; does not change results", shown="the backend's preference"
    )
    bins: int = option(60, "histogram bins per classical variable")
    hist_range: dict | None = option(
        None, "histogram range of a classical variable", metavar="NAME=LOW:HIGH", shown="from a pilot run"
    )
    n_paths: int = option(5, "sample trajectories to store")
    record: bool = option(False, "keep the sample trajectories' classical path at every time step (result.records)",
                          cli=False)
    progress: bool | None = option(None, "show a progress bar", cli=False, shown="only on a terminal")

    def __post_init__(self):
        self.trajectories = _count("trajectories", self.trajectories, allow_none=True)
        self.workers = _count("workers", self.workers, allow_none=True)
        self.chunk_size = _count("chunk_size", self.chunk_size, allow_none=True)
        self.bins = _count("bins", self.bins)
        self.n_paths = _count("n_paths", self.n_paths, minimum=0)
        self.seed = _count("seed", self.seed, allow_none=True, minimum=0)
        for name in ("dt", "target_stderr", "target_error"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, _positive(name, value))
        for name in ("step_error", "extrapolate", "record"):
            if not isinstance(getattr(self, name), bool):
                raise CQPlugError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if self.extrapolate and not self.step_error:
            raise CQPlugError("extrapolate needs the coarse grid: drop step_error=False")
        if self.target_error is not None and self.target_stderr is not None:
            raise CQPlugError("give target_error (statistical and step error) or target_stderr, not both")
        if self.record and self.n_paths == 0:
            raise CQPlugError("record keeps the sample trajectories' paths: give n_paths >= 1")
        if self.record and self.target_error is not None:
            raise CQPlugError("record needs one time step: drop target_error (or set dt)")
        if self.target_error is not None and not self.step_error:
            raise CQPlugError("target_error needs the step-error estimate: drop step_error=False")
        if self.hist_range is not None:
            if not isinstance(self.hist_range, dict):
                raise CQPlugError(f"hist_range must be {{name: (low, high)}}, got {self.hist_range!r}")
            for name, rng in self.hist_range.items():
                try:
                    low, high = (float(v) for v in rng)
                except (TypeError, ValueError):
                    raise CQPlugError(f"hist_range[{name!r}] must be (low, high), got {rng!r}") from None
                if not (math.isfinite(low) and math.isfinite(high) and low < high):
                    raise CQPlugError(f"hist_range[{name!r}] must be finite with low < high, got {rng!r}")

    @property
    def ensemble_size(self) -> int:
        """Trajectories to run: as given, else 10,000, or with a target a cap of 10^9 (never reached
        in practice: the target stops the run)."""
        if self.trajectories is not None:
            return self.trajectories
        return DEFAULT_TRAJECTORIES if self.target_stderr is None and self.target_error is None else 10**9

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1


def _count(name: str, value, allow_none: bool = False, minimum: int = 1):
    """A non-negative/positive integer; NumPy integers and integral floats (1e4) accepted."""
    if value is None and allow_none:
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)
    elif (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and float(value).is_integer()
    ):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        kind = "a positive integer" if minimum >= 1 else "a non-negative integer"
        raise CQPlugError(f"{name} must be {kind}, got {value!r}")
    return value


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise CQPlugError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def route_options(values: dict, owners: list) -> list:
    """The one option router: ``values`` {name: value} split into one dict per owner, in the order of
    ``owners`` [(who, Options dataclass or None)], each name going to the first owner that declares
    it; a name no owner declares is refused with what each one does declare (and a "did you mean")."""
    declared = [(who, {f.name for f in dataclasses.fields(cls)} if cls else set()) for who, cls in owners]
    buckets = [{} for _ in owners]
    for key, value in values.items():
        for bucket, (_, names) in zip(buckets, declared):
            if key in names:
                bucket[key] = value
                break
        else:
            everything = set().union(*(names for _, names in declared))
            known = "; ".join(f"{who}: {', '.join(sorted(names)) or 'none'}" for who, names in declared)
            raise CQPlugError(f"unknown option {key!r}{did_you_mean(key, everything)}; known options ({known})")
    return buckets


def route_option_texts(pairs, owners: list) -> list:
    """``route_options`` for NAME=VALUE strings of the command line (``-O``): each value converted to
    the type its owner's field declares."""
    texts = dict(pairs)
    buckets = route_options(texts, owners)
    return [{name: parse_option_value(cls, name, text, who) for name, text in bucket.items()}
            for bucket, (who, cls) in zip(buckets, owners)]


def split_options(kwargs: dict, method_options_class, backend_options_class, method: str, backend: str | None):
    """(SolveOptions, method options, backend options) from ``solve``'s keyword arguments: each name
    goes to the one place that declares it (:func:`route_options`)."""
    owners = [("shared", SolveOptions), (f"method {method!r}", method_options_class)]
    if backend:
        owners.append((f"backend {backend!r}", backend_options_class))
    shared, own_method, *own_backend = route_options(kwargs, owners)
    return (
        SolveOptions(**shared),
        make_options(method_options_class, own_method, f"method {method!r}"),
        make_options(backend_options_class, own_backend[0] if own_backend else {}, f"backend {backend!r}"),
    )


def make_options(options_class, values: dict, owner: str):
    """An instance of a plugin's Options dataclass (None when it declares none)."""
    if options_class is None:
        if values:
            raise CQPlugError(f"{owner} takes no options; got {', '.join(sorted(values))}")
        return None
    try:
        return options_class(**values)
    except TypeError as exc:
        raise CQPlugError(f"{owner}: {exc}") from None


def parse_option_value(options_class, name: str, text: str, owner: str):
    """Convert a command-line string to the type a plugin's option field declares."""
    fields = {f.name: f for f in dataclasses.fields(options_class)} if options_class else {}
    if name not in fields:
        raise CQPlugError(f"{owner} has no option {name!r}{did_you_mean(name, fields)}; its options: "
                          f"{', '.join(sorted(fields)) or 'none'}")
    hint = typing.get_type_hints(options_class).get(name, str)
    base = [t for t in typing.get_args(hint) if t is not type(None)] or [hint]
    target = base[0] if base[0] in (int, float, bool, str) else str
    try:
        if target is bool:
            if text.lower() not in ("true", "false", "yes", "no", "1", "0"):
                raise ValueError
            return text.lower() in ("true", "yes", "1")
        if target is int:
            value = float(text)
            if not value.is_integer():
                raise ValueError
            return int(value)
        return target(text)
    except ValueError:
        raise CQPlugError(f"{owner}: option {name} must be {target.__name__}, got {text!r}") from None


def describe_options(options_class) -> list:
    """[(name, default, help)] of a plugin's options."""
    if options_class is None:
        return []
    return [(f.name, shown_default(f), f.metadata.get("help", "")) for f in dataclasses.fields(options_class)]
