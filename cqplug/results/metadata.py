"""What a result records about how it was made: :class:`RunInfo`, typed, frozen, read by attribute.

    result.info.method, result.info.trajectories, result.info.dt, result.info.deterministic
    result.info.summary          # one line: what was done ("40000 trajectories, seed 1, dt = ...")
    result.info.details          # the rest: the compiled step's choices, a method's own metadata

Two kinds of result: ``kind == "trajectories"`` (a Monte Carlo ensemble: seed, trajectories, dt, step
error ...) and ``kind == "deterministic"`` (e.g. an exact reference solution: standard and step errors
zero). ``summary`` is written by whoever made the result: core for ensembles, the method itself for a
deterministic result (a reference method reports, say, its truncation there and in ``details``), so a
reader never needs to know which plugin produced it.

The file form is the flat JSON object of cqplug 0.2 (``to_dict``: the fields that are set, with
``details`` merged in at the top level); ``from_dict`` reads it back, keys that are not fields going
to ``details``. ``info["trajectories"]`` (the 0.2 dict access) still works, with a DeprecationWarning.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

KINDS = ("trajectories", "deterministic")
UNITS = "hbar = 1; times and rates in the model's units"


class FlatForm:
    """The flat JSON form of a frozen metadata dataclass, and the dict access of cqplug 0.2."""

    def replace(self, **changes):
        """A copy with ``changes`` (the metadata is frozen)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """The flat JSON object: every field that is set (not None), ``details`` merged in."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name != "details" and value is not None:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out | {k: v for k, v in self.details.items() if k not in out}

    def _flat(self) -> dict:
        from ..deprecation import deprecated

        deprecated("reading .info as a dict (info[key], info.get(key), key in info)",
                   "its attributes, info.NAME (and info.details[key] for a plugin's own keys)", stacklevel=4)
        return self.to_dict()

    def __getitem__(self, key: str):
        flat = self._flat()
        if key not in flat:
            raise KeyError(key)
        return flat[key]

    def get(self, key: str, default=None):
        return self._flat().get(key, default)

    def __contains__(self, key) -> bool:
        return key in self._flat()

    def keys(self):
        return self._flat().keys()

    def items(self):
        return self._flat().items()

    def values(self):
        return self._flat().values()

    def __iter__(self):
        return iter(self._flat())

    def __setitem__(self, key: str, value) -> None:
        """cqplug 0.2 code wrote into the dict: still works (a field is replaced in place, any other
        key goes to ``details``), with the warning; new code uses ``info.replace(...)``."""
        from ..deprecation import deprecated

        deprecated("writing into .info as a dict (info[key] = value)", "info.replace(NAME=value)")
        if key in {f.name for f in dataclasses.fields(self)} - {"details"}:
            object.__setattr__(self, key, value)
        else:
            self.details[key] = value


@dataclass(frozen=True)
class RunInfo(FlatForm):
    """Metadata of a :class:`~cqplug.results.result.Result` (fields that do not apply are None).

    The problem: ``model``, ``parameters`` {name: value}, ``exact`` (False where the CQ description
    approximates the model; ``approximations`` says how), ``tradeoff_ratio`` (16 gamma_c gamma_q
    / lam^2-type ratio of the positivity trade-off, >= 1 when valid), ``t_final``, ``units``,
    ``labels`` {observable: label}, ``variables`` (the phase-space variables q_1..q_n,
    p_1..p_n). How it was solved: ``method``, ``backend``, ``kind``, ``summary``,
    ``version`` (of cqplug) and ``versions`` (cqplug, Python, NumPy, SciPy, SymPy). Trajectory runs:
    ``seed`` (master seed), ``trajectories``, ``partial`` (interrupted: statistics of the finished
    blocks) and ``interrupted_by`` ("SIGINT", "SIGTERM", "error"), ``dt`` and ``steps_per_save``,
    ``time_step`` (how dt was chosen: "chosen", "limited_by", "adjusted", ...), ``weak_order``,
    ``step_error`` (whether the coarse grid 2 dt ran) and ``step_error_statement`` (the verdict
    ``cqplug run`` prints about it), ``extrapolated``, ``target_stderr``, ``target_error``,
    ``state`` ("density" or "ket"), ``executor``, ``compile_seconds`` and ``run_seconds`` (s);
    multilevel runs also ``levels`` (one {dt, trajectories, seconds, max_variance} per level) and
    ``reached``. ``plugin_options``: {"method": {...}, "backend": {...}}, the values of the method's and
    the backend's own options (``-O``), defaults included, for those that declare any.
    """

    model: str = "?"
    method: str = "?"
    kind: str = "trajectories"
    summary: str = ""
    backend: str | None = None
    parameters: dict = field(default_factory=dict)
    exact: bool | None = None
    approximations: tuple = ()
    tradeoff_ratio: float | None = None
    t_final: float | None = None
    units: str = UNITS
    labels: dict = field(default_factory=dict)
    variables: tuple = ()
    version: str | None = None
    versions: dict = field(default_factory=dict)
    seed: int | None = None
    trajectories: int | None = None
    partial: bool = False
    interrupted_by: str | None = None
    dt: float | None = None
    steps_per_save: int | None = None
    time_step: dict = field(default_factory=dict)
    weak_order: int | None = None
    step_error: bool | None = None
    step_error_statement: str | None = None
    extrapolated: bool = False
    target_stderr: float | None = None
    target_error: float | None = None
    state: str | None = None
    executor: str | None = None
    compile_seconds: float | None = None
    run_seconds: float | None = None
    multilevel: bool = False
    levels: tuple = ()
    reached: bool | None = None
    plugin_options: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"RunInfo.kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        object.__setattr__(self, "approximations", tuple(self.approximations))
        object.__setattr__(self, "levels", tuple(self.levels))
        object.__setattr__(self, "variables", tuple(self.variables))

    @property
    def deterministic(self) -> bool:
        """True for a result without Monte Carlo noise (e.g. an exact reference)."""
        return self.kind == "deterministic"

    @classmethod
    def from_dict(cls, data: dict) -> RunInfo:
        """Read the flat form (also that of cqplug 0.2, which had no ``kind``: a result without a
        trajectory count was deterministic)."""
        data = dict(data)
        data.setdefault("kind", "trajectories" if data.get("trajectories") is not None else "deterministic")
        info = _read_flat(cls, data)
        if not info.summary and not info.deterministic:
            info = info.replace(summary=trajectory_summary(info))
        return info


@dataclass(frozen=True)
class ScanInfo(FlatForm):
    """Metadata of a :class:`~cqplug.results.scan.Scan`: the fixed ``parameters`` and ``model``, the
    ``method`` and ``backend``, the master ``seed`` (point i runs on a seed derived from it, recorded
    in its result), ``t_final``, ``save_dt``, ``executor``, ``partial`` (interrupted: the points
    without a result say why) and ``run_seconds``."""

    model: str = "?"
    method: str = "?"
    backend: str | None = None
    parameters: dict = field(default_factory=dict)
    seed: int | None = None
    t_final: float | None = None
    save_dt: float | None = None
    executor: str | None = None
    partial: bool = False
    run_seconds: float | None = None
    details: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> ScanInfo:
        return data if isinstance(data, ScanInfo) else _read_flat(cls, dict(data))


def _read_flat(cls, data: dict):
    """An instance of ``cls`` from its flat form: fields by name, the rest into ``details``."""
    names = {f.name for f in dataclasses.fields(cls)} - {"details"}
    known = {k: v for k, v in data.items() if k in names}
    return cls(**known, details={k: v for k, v in data.items() if k not in names})


def trajectory_summary(info: RunInfo) -> str:
    """The line a trajectory run reports: count, seed, dt (and how it was chosen), weak order."""
    step = info.time_step or {}
    if info.multilevel:
        origin = f"finest of {len(info.levels)} levels"
    elif step.get("chosen") == "automatic":
        origin = f"automatic, limited by the {step.get('limited_by') or 'save interval'}"
    else:
        origin = "given"
    dt = f"{info.dt:.4g}" if info.dt is not None else "?"
    return (f"{info.trajectories} trajectories, seed {info.seed}, dt = {dt} ({origin}), "
            f"weak order {info.weak_order}")
