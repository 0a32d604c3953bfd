"""The partial Wigner transform (cqplug.analysis.wigner) against QuTiP's Wigner function and the identities
of physics.md §3: Tr_Q W is the Wigner function of C; the phase-space integral of W is rho_Q."""

import numpy as np
import pytest

import cqplug
from cqplug.analysis.wigner import partial_wigner, relative_lowest_eigenvalue
from cqplug.registry import get_registry

pytestmark = pytest.mark.integration
qutip = pytest.importorskip("qutip")
N, D = 10, 2


@pytest.fixture
def state():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(N * D, N * D)) + 1j * rng.normal(size=(N * D, N * D))
    rho = a @ a.conj().T
    return rho / np.trace(rho)


def test_trace_over_q_is_qutips_wigner_function(state):
    q, p = np.linspace(-4, 4, 17), np.linspace(-3, 3, 13)
    W = partial_wigner(state, N, D, q, p)
    reduced_c = qutip.Qobj(np.trace(state.reshape(N, D, N, D), axis1=1, axis2=3))
    expected = qutip.wigner(reduced_c, q, p).T  # qutip: [p, q]; hbar = 1 with its default g = sqrt(2)
    np.testing.assert_allclose(np.trace(W, axis1=-2, axis2=-1).real, expected, atol=1e-12)
    np.testing.assert_allclose(W, np.swapaxes(W, -1, -2).conj(), atol=1e-14)  # Hermitian at each point


def test_length_scale_and_phase_space_integral(state):
    grid = np.linspace(-9, 9, 181)
    W = partial_wigner(state, N, D, grid, grid)
    reduced_q = np.trace(state.reshape(N, D, N, D), axis1=0, axis2=2)
    np.testing.assert_allclose(W.sum(axis=(0, 1)) * (grid[1] - grid[0]) ** 2, reduced_q, atol=1e-10)
    scale, q, p = 1.7, np.array([0.3, -1.2]), np.array([0.8, 0.1])
    np.testing.assert_allclose(
        partial_wigner(state, N, D, scale * q, p / scale, scale), partial_wigner(state, N, D, q, p), atol=1e-14
    )


def test_exact_states_are_positive_cq_states_only_at_the_trade_off():
    reference = get_registry().create("methods", "lindblad")
    grid = np.linspace(-6, 6, 49)
    lowest = {}
    for ratio in (0.25, 1.0):
        problem = cqplug.Problem("toy", {"gamma_q": ratio / 4}, t_final=2.0, save_dt=0.5, require_cq=False)
        rho, n, scale = reference.states(problem, tolerance=1e-5)
        assert rho.shape == (len(problem.times), 2 * n, 2 * n)
        lowest[ratio] = relative_lowest_eigenvalue(partial_wigner(rho, n, 2, grid, grid, scale)).min()
    assert lowest[0.25] < -0.05 and lowest[1.0] > -1e-6
