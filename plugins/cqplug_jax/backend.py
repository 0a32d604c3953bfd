"""The "jax" backend: many trajectories per call, vectorised by XLA on the CPU or a GPU.

``prepare`` prints the system's phase-space functions with the :class:`JaxPrinter`, builds the
step (:mod:`.split_step`, the project's CQ step, or :mod:`.generic`, diffrax's solvers on the
standard form), and jit-compiles it once per structure: the compiled function is cached by
(step, sizes, generated source) and every number of the system — parameters, propagators, dt,
the steps per save — is an argument, so a second solve or a scan point does not recompile.
Every call integrates ``blocks_per_call`` seed blocks (a short last batch is padded), so one
compilation serves a whole run.

Numbers: float64 (``jax_enable_x64`` is switched on when the backend is prepared). Seeds: block
k's key is the two 32-bit words of ``Block.seed``; a result depends on the seed only, not on the
batch sizes or the device. Each call reduces its blocks on the device to the moments core merges
(:meth:`~cqplug.results.statistics.EnsembleStatistics.of_groups`), so only those travel back.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from cqplug.errors import BackendUnavailable, CQPlugError
from cqplug.results.statistics import EnsembleStatistics
from cqplug.solving.backend import Backend, Runner, TrajectoryDiverged
from cqplug.system.phase_space import JaxPrinter

from .reduction import histogram_cells

SOLVERS = ("cq", "euler")
CPU_BLOCKS, GPU_BLOCKS = 8, 256  # seed blocks per call (512 trajectories each)
_LOCK = threading.Lock()


class JAXBackend(Backend):
    states = ("density", "ket")

    def __init__(self, solver: str = "cq", device: str | None = None, blocks: int | None = None):
        if solver not in SOLVERS:
            raise CQPlugError(f"backend 'jax': solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
        if blocks is not None and (int(blocks) != blocks or blocks < 1):
            raise CQPlugError(f"backend 'jax': blocks must be a positive integer, got {blocks!r}")
        self.solver, self.device_name, self.blocks = solver, device, blocks
        self._device = None

    def check_available(self) -> None:
        try:
            import jax  # noqa: F401
            if self.solver != "cq":
                import diffrax  # noqa: F401
        except ImportError as exc:
            raise BackendUnavailable(f"backend 'jax' needs JAX{'' if self.solver == 'cq' else ' and diffrax'}: "
                                     f'pip install "cqplug[jax]" ({exc})') from None
        self.device  # noqa: B018 - resolves (and checks) the device name now

    @property
    def device(self):
        if self._device is None:
            self._device = _device(self.device_name)
        return self._device

    @property
    def weak_order(self):
        return 1 if self.solver == "euler" else None

    @property
    def blocks_per_call(self) -> int:
        return self.blocks or (CPU_BLOCKS if self.device.platform == "cpu" else GPU_BLOCKS)

    @property
    def threads(self) -> bool:
        """Blocks from several threads only for the split step on a CPU (XLA's CPU calls release the
        GIL; a GPU takes one stream). Two concurrent calls of the euler path, whose projection runs
        LAPACK's eigh inside XLA, deadlock XLA's CPU client (observed with jaxlib 0.10 on 2 cores)."""
        return self.device.platform == "cpu" and self.solver == "cq"

    def prepare(self, system) -> JAXRunner:
        _configure()
        import jax

        if self.solver != "cq" and system.state not in ("density", "ket"):
            raise CQPlugError(f"backend 'jax': solver {self.solver!r} cannot carry {system.state!r} states")
        if self.solver == "cq":  # the split step reads linear flows and the (linear) couplings as matrices
            from .constants import split_step_constants
            from .split_step import Structure

            printed = ("observables",) if system.linear_flow is not None else ("hamilton", "observables")
            structure = Structure(system, "\n".join(_printed(system, printed)))
            constants = split_step_constants(system)
        else:
            from .constants import generic_constants
            from .generic import Structure

            structure = Structure(system, "\n".join(_printed(system, ("hamilton", "couplings", "observables"))),
                                  self.solver)
            constants = generic_constants(system)
        constants = jax.device_put(constants, self.device)
        return JAXRunner(system, structure, constants, self.device, self.blocks_per_call)


def _printed(system, names) -> list:
    """The JAX source of the named phase-space functions."""
    return [JaxPrinter().function(getattr(system, name), system.n_z, len(system.parameters)) for name in names]


class JAXRunner(Runner):
    def __init__(self, system, structure, constants, device, blocks_per_call: int):
        self.system, self.structure, self.constants = system, structure, constants
        self.device, self.blocks_per_call = device, blocks_per_call

    def run(self, blocks: list, histogram, n_paths: int) -> list:
        import jax

        simulate = _compiled(self.structure, histogram_cells(histogram.bins))
        low, width = (np.asarray(x, dtype=float) for x in (histogram.low, histogram.width))
        out = []
        for start in range(0, len(blocks), self.blocks_per_call):
            batch = blocks[start:start + self.blocks_per_call]
            size = self.blocks_per_call  # padded: one compiled batch size
            keys = np.zeros((size, 2), dtype=np.uint32)
            keys[:len(batch)] = [b.seed.generate_state(2, np.uint32) for b in batch]
            counts = np.zeros(size)
            counts[:len(batch)] = [b.trajectories for b in batch]
            arguments = jax.device_put((self.constants, keys, counts, low, width), self.device)
            stats = jax.device_get(simulate(*arguments, np.int64(histogram.bins)))
            out += [self._block(i, block, stats, histogram.bins, n_paths) for i, block in enumerate(batch)]
        return out

    def _block(self, i: int, block, stats: dict, bins: int, n_paths: int) -> EnsembleStatistics:
        """Block i of a batch's statistics (arrays (saves, blocks, ...))."""
        s = self.system
        if stats["bad_z"][:, i].any():
            raise TrajectoryDiverged.classical(s)
        if stats["bad_q"][:, i].any():
            raise TrajectoryDiverged.quantum(s)

        def per_block(name):
            return stats[name][None, :, i] if name in stats else None  # (1, saves, K)

        keep = min(n_paths, block.trajectories) if block.index == 0 and i == 0 else 0
        paths = np.swapaxes(stats["paths"], 0, 1)[:keep]  # (kept, saves, K)
        path_z = np.swapaxes(stats["path_z"], 0, 1)[:keep]
        hist = np.moveaxis(stats["hist"][:, i, :, :bins + 2], 0, 1).astype(np.int64)  # (2n, saves, bins + 2)
        return EnsembleStatistics.of_groups(np.array([block.trajectories]), per_block("mean"), per_block("m2"),
                                            per_block("diff_mean"), per_block("diff_m2"), per_block("co_m2"), hist,
                                            paths, path_z)


def _device(name: str | None):
    """The JAX device called ``name`` ("cpu", "gpu", "cuda", "gpu:1", ...; None: JAX's default)."""
    import jax

    if name is None:
        return jax.devices()[0]
    platform, _, index = str(name).partition(":")
    try:
        devices = jax.devices(platform)
    except RuntimeError as exc:
        raise BackendUnavailable(f"backend 'jax': no {platform!r} device here ({exc}); for an NVIDIA GPU install "
                                 f'"jax[cuda12]", or choose device=cpu') from None
    if index and not index.isdigit():
        raise BackendUnavailable(f"backend 'jax': device {name!r}: expected a platform and an optional index, "
                                 "e.g. cpu, gpu or gpu:1")
    i = int(index) if index else 0
    if i >= len(devices):
        raise BackendUnavailable(f"backend 'jax': device {name!r} does not exist ({len(devices)} {platform} "
                                 "device(s))")
    return devices[i]


def _configure() -> None:
    """float64, and JAX's persistent compilation cache beside the cpu backend's kernels."""
    import jax

    with _LOCK:
        jax.config.update("jax_enable_x64", True)
        if jax.config.jax_compilation_cache_dir is None and not os.environ.get("JAX_COMPILATION_CACHE_DIR"):
            from cqplug_cpu.cache import cache_directory

            jax.config.update("jax_compilation_cache_dir", str(cache_directory().parent / "jax"))


_COMPILED: dict = {}


def _compiled(structure, cells: int):
    """The jitted simulate of a structure and histogram width, built once per process."""
    import jax

    key = (structure.key(), cells)
    with _LOCK:
        if key not in _COMPILED:
            _COMPILED[key] = jax.jit(structure.build(cells))
        return _COMPILED[key]
