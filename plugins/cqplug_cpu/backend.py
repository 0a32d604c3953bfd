"""The "cpu" backend: prepares arrays, compiles (and caches) the Numba kernel, runs blocks."""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np

from cqplug.backend import Backend, BlockRunner
from cqplug.codegen import model_functions, python_source
from cqplug.errors import BackendUnavailable, CQPlugError
from cqplug.statistics import BlockStatistics


@functools.lru_cache(maxsize=32)
def compiled_kernel(source: str, is_ket: bool, sizes: tuple):
    """Compile the generated model functions and the block kernel once per process, model and sizes."""
    from numba import njit

    from .kernels import make_kernel

    namespace = {}
    exec(compile(source, "<cqplug generated model>", "exec"), namespace)
    jit = njit(inline="always")
    return make_kernel(jit(namespace["drift"]), jit(namespace["couplings"]), jit(namespace["observables"]), is_ket,
                       sizes)


def _complex(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.complex128)


def _real(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def gauss_hermite_grid(r: int, dt: float) -> tuple:
    """Points (3^r, r) and weights of 3-point Gauss-Hermite quadrature for r independent N(0, dt)."""
    x, w = np.array([-math.sqrt(3 * dt), 0.0, math.sqrt(3 * dt)]), np.array([1 / 6, 2 / 3, 1 / 6])
    points = np.array(list(itertools.product(x, repeat=r)), dtype=float).reshape(3**r, r)
    weights = np.array([np.prod(c) for c in itertools.product(w, repeat=r)], dtype=float)
    return _real(points), _real(weights)


class CPUBackend(Backend):
    name = "cpu"
    summary = "Numba-compiled CPU kernels, blocks on all cores (threads)"

    def check_available(self) -> None:
        try:
            import numba  # noqa: F401
        except ImportError as exc:
            raise BackendUnavailable(f"backend 'cpu' needs Numba: pip install numba ({exc})") from None

    def prepare(self, problem, terms, state, dt, steps_per_save):
        is_ket = state == "ket"
        d = problem.model.d
        sizes = (2 * problem.model.n, terms.n_noise, problem.L.shape[0], d, terms.J.shape[0])
        kernel = compiled_kernel(python_source(model_functions(problem)), is_ket, sizes)
        if is_ket:
            kets, weights = problem.initial.ket_mixture()
            q_init, weights = _complex(kets[:, :, None]), _real(weights)
        else:
            q_init, weights = _complex(problem.initial.density_matrix()[None]), _real([1.0])
        gh_points, gh_weights = gauss_hermite_grid(terms.J.shape[0], dt)
        arrays = dict(
            params=problem.parameter_vector(),
            z_mean=_real(problem.initial.classical.mean),
            z_root=_real(problem.initial.classical.sampling_root()),
            q_init=q_init, q_weights=weights,
            sigma=_real(terms.sigma), K=_real(terms.K), C=_complex(terms.C), CC=_complex(terms.C @ terms.C),
            J=_complex(terms.J), JJ=_complex(terms.J @ terms.J), gh_points=gh_points, gh_weights=gh_weights,
            A0=_complex(np.eye(d) - 0.5 * dt * terms.G), HQ=_complex(problem.H_Q), L=_complex(problem.L),
            obsB=_complex(problem.observable_operators()),
        )
        return CPURunner(kernel, arrays, dt, steps_per_save, len(problem.times), len(problem.observables))


class CPURunner(BlockRunner):
    def __init__(self, kernel, arrays, dt, steps_per_save, n_times, n_obs):
        self.kernel, self.arrays = kernel, arrays
        self.dt, self.steps_per_save = float(dt), int(steps_per_save)
        self.n_times, self.n_obs = n_times, n_obs
        self.nz = arrays["z_mean"].size

    def run_block(self, n, seed, hist_low, hist_width, bins, n_paths):
        rng = np.random.Generator(np.random.PCG64(seed))
        n_paths = min(n_paths, n)
        mean = np.zeros((self.n_obs, self.n_times))
        m2 = np.zeros_like(mean)
        hist = np.zeros((self.nz, self.n_times, bins + 2), dtype=np.int64)
        paths = np.zeros((n_paths, self.n_times, self.n_obs))
        path_z = np.zeros((n_paths, self.n_times, self.nz))
        a = self.arrays
        status = self.kernel(n, rng, a["params"], a["z_mean"], a["z_root"], a["q_init"], a["q_weights"], a["sigma"],
                             a["K"], a["C"], a["CC"], a["J"], a["JJ"], a["gh_points"], a["gh_weights"], a["A0"],
                             a["HQ"], a["L"], a["obsB"], self.dt, self.steps_per_save, _real(hist_low), _real(1.0 / np.asarray(hist_width)), int(bins), mean, m2, hist, paths,
                             path_z)
        if status != 0:
            raise CQPlugError(f"a trajectory diverged (state norm not finite) at dt = {self.dt:.3g}; reduce dt")
        return BlockStatistics(n, mean, m2, hist, paths, path_z)
