"""Derived quantities: Hamilton's equations, generated code, and the unravelling's coefficients."""

import math

import numpy as np
import pytest

import cqplug
from cqplug.codegen import model_functions, python_source
from cqplug.terms import cq_terms, mean_field_terms

from .models import spin_oscillator

PARAMS = {"m": 1.7, "omega": 0.8, "delta": 0.3, "lam": 1.1, "gamma_c": 0.4, "gamma_q": 0.6}


def test_generated_drift_is_hamilton_plus_backreaction():
    problem = cqplug.Problem("toy", PARAMS)
    namespace = {}
    exec(python_source(model_functions(problem)), namespace)
    params = problem.parameter_vector()
    rng = np.random.default_rng(0)
    m, w, lam = PARAMS["m"], PARAMS["omega"], PARAMS["lam"]
    for _ in range(5):
        z, sz = rng.normal(size=2), rng.uniform(-1, 1)
        out = np.empty(2)
        namespace["drift"](z, params, np.array([sz]), out)
        # dq/dt = p/m, dp/dt = -m omega^2 q - lam <sigma_z>  (physics.md §5)
        np.testing.assert_allclose(out, [z[1] / m, -m * w**2 * z[0] - lam * sz], rtol=1e-13)
        h = np.empty(1)
        namespace["couplings"](z, params, h)
        assert h[0] == pytest.approx(lam * z[0])
        f = np.empty(len(problem.observables))
        namespace["observables"](z, params, f)
        names = [o.name for o in problem.observables]
        assert f[names.index("p2")] == pytest.approx(z[1] ** 2) and f[names.index("sx")] == 1.0


def test_toy_unravelling_coefficients():
    problem = cqplug.Problem("toy", PARAMS)
    t = cq_terms(problem)
    gc, gq, lam = PARAMS["gamma_c"], PARAMS["gamma_q"], PARAMS["lam"]
    np.testing.assert_allclose(t.sigma @ t.sigma.T, [[0, 0], [0, 2 * gc]], atol=1e-14)
    # k = -lam / (2 sqrt(2 gamma_c)) with sigma = +sqrt(2 gamma_c); a joint sign flip is the same process
    k = t.K[0, 0] * np.sign(t.sigma[1, 0])
    assert k == pytest.approx(-lam / (2 * math.sqrt(2 * gc)))
    # extra dephasing (2 gamma_q - lam^2 / (8 gamma_c)) D[sigma_z]: J = sqrt(that) sigma_z
    extra = 2 * gq - lam**2 / (8 * gc)
    np.testing.assert_allclose(t.J[0] @ t.J[0], extra * np.eye(2), atol=1e-13)
    np.testing.assert_allclose(t.G, 2 * gq * np.eye(2))


def test_saturated_toy_has_no_extra_dephasing():
    assert cq_terms(cqplug.Problem("toy")).J.shape[0] == 0


def test_mean_field_terms_drop_noise_but_keep_dephasing():
    problem = cqplug.Problem("toy", PARAMS)
    t = mean_field_terms(problem)
    assert t.n_noise == 0 and t.C.shape[0] == 0
    np.testing.assert_allclose(t.J[0] @ t.J[0], 2 * PARAMS["gamma_q"] * np.eye(2), atol=1e-13)


def test_backreaction_matrix_for_two_couplings():
    s = cqplug.pauli_matrices()
    model = spin_oscillator(couplings=[("lam*q", s["sz"]), ("lam*p/2", s["sx"])],
                            channels=[("position-decoherence", {"operator": "q", "rate": "gamma_c"}),
                                      ("position-decoherence", {"operator": "p", "rate": "gamma_c"}),
                                      ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
                                      ("coupling-dephasing", {"coupling": 1, "rate": "gamma_q"})])
    problem = cqplug.Problem(model, {"gamma_q": 1.0})
    # D1[i, a] = (1/2) (Omega grad h_a)_i: h_0 = q -> (0, -1/2); h_1 = p/2 -> (1/4, 0)
    np.testing.assert_allclose(problem.D1, [[0, 0.25], [-0.5, 0]])
    t = cq_terms(problem)
    np.testing.assert_allclose(t.sigma @ t.K.T, problem.D1, atol=1e-14)
    assert np.linalg.eigvalsh(problem.D0 - t.K @ t.K.T).min() > -1e-12
