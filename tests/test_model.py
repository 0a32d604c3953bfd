"""Models as data: safe expression parsing, validation, default observables, states, channels."""

import numpy as np
import pytest
import sympy as sp

import cqplug
from cqplug.errors import InvalidProblem
from cqplug.model.expressions import parse_expression

from .models import spin_oscillator

pytestmark = pytest.mark.unit

SYMBOLS = {name: sp.Symbol(name, real=True) for name in ("q", "p", "lam")}


def test_expressions_are_parsed_not_executed(tmp_path):
    marker = tmp_path / "executed"
    hostile = [f"__import__('os').mkdir({str(marker)!r})", "q.__class__", "lambda: 1", "[q for q in p]",
               "q[0]", "sin(q, p)", "exp(x=q)", "open('f')"]
    for text in hostile:
        with pytest.raises(InvalidProblem, match="not allowed|unknown name"):
            parse_expression(text, SYMBOLS, "H_C")
    assert not marker.exists()


def test_arithmetic_functions_and_pi_parse_to_sympy():
    q, p, lam = SYMBOLS["q"], SYMBOLS["p"], SYMBOLS["lam"]
    assert parse_expression("p**2/2 + lam*q - 3", SYMBOLS, "x") == p**2 / 2 + lam * q - 3
    assert parse_expression("sqrt(q)*cos(pi*p) + -q", SYMBOLS, "x") == sp.sqrt(q) * sp.cos(sp.pi * p) - q
    with pytest.raises(InvalidProblem, match=r"'\^' is not a power"):
        parse_expression("q^2", SYMBOLS, "x")
    with pytest.raises(InvalidProblem, match="unknown name 'x'"):
        parse_expression("x**2", SYMBOLS, "x")


def test_model_strings_are_parsed_safely_in_a_model(tmp_path):
    marker = tmp_path / "owned"
    with pytest.raises(InvalidProblem, match="not allowed"):
        spin_oscillator(classical_hamiltonian=f"__import__('os').mkdir({str(marker)!r})")
    assert not marker.exists()


def test_unknown_symbol_and_non_hermitian_operator_are_refused():
    with pytest.raises(InvalidProblem, match="unknown name 'x'"):
        spin_oscillator(classical_hamiltonian="p**2/2 + x**2")
    with pytest.raises(InvalidProblem, match="not Hermitian"):
        spin_oscillator(couplings=[("lam*q", np.array([[0, 1], [0, 0]]))])


def test_coherent_state_needs_the_oscillators_mass_and_frequency():
    with pytest.raises(InvalidProblem, match="give the oscillator's mass m and angular frequency omega"):
        cqplug.coherent_state(1.0, 0.0)  # m and omega are required (by keyword or positionally)
    state = cqplug.coherent_state(1.0, 2.0, m=2.0, omega=1.5)
    np.testing.assert_allclose(np.diag(state.covariance), [1 / (2 * 2.0 * 1.5), 2.0 * 1.5 / 2])


def test_default_observables_for_d_other_than_two():
    """d = 3: each coupling operator and H_Q term is an observable (no Pauli matrices exist)."""
    S = np.diag([1.0, 0.0, -1.0])
    model = cqplug.Model("spin-1", coordinates=["q"], momenta=["p"], parameters={"g": 0.1, "a": 0.5, "b": 0.5},
                         classical_hamiltonian="p**2/2 + q**2/2", quantum_hamiltonian=[("1", np.diag([0, 1, 0]))],
                         couplings=[("g*q", S)],
                         channels=[("classical-decoherence", {"operator": "q", "rate": "a"}),
                                   ("coupling-dephasing", {"coupling": 0, "rate": "b"})],
                         initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(m=1.0, omega=1.0),
                                                                     np.eye(3)[0]))
    names = [o.name for o in model.observables]
    assert names[:4] == ["q", "q2", "p", "p2"] and "L0" in names and "HQ0" in names
    assert "sx" not in names


def test_parameter_values_accept_numpy_numbers_and_refuse_others():
    model = spin_oscillator()
    values = model.parameter_values({"lam": np.float32(0.5), "gamma_c": np.int64(1)})
    assert values["lam"] == 0.5 and values["gamma_c"] == 1.0
    for bad in ({"lam": "abc"}, {"lam": float("nan")}, {"lam": True}, {"nope": 1.0}):
        with pytest.raises(InvalidProblem):
            model.parameter_values(bad)
    with pytest.raises(InvalidProblem, match="must be a dict"):
        model.parameter_values([("lam", 1)])


def test_states_refuse_nan_and_unphysical_input():
    with pytest.raises(InvalidProblem, match="uncertainty relation"):
        cqplug.GaussianState([0, 0], np.diag([0.1, 0.1]))
    with pytest.raises(InvalidProblem, match="arrays of numbers"):
        cqplug.GaussianState(["a", 0], np.eye(2))
    from cqplug.model.states import check_initial_state

    classical = cqplug.coherent_state(m=1.0, omega=1.0)
    with pytest.raises(InvalidProblem, match="not finite"):
        check_initial_state(cqplug.InitialState(classical, np.array([np.nan, 1.0])), 1, 2)
    with pytest.raises(InvalidProblem, match="norm 1.41421"):
        check_initial_state(cqplug.InitialState(classical, np.array([1.0, 1.0])), 1, 2)


def test_channels_give_their_own_matrices_and_formulas():
    model = spin_oscillator()
    position = cqplug.ClassicalDecoherence("q", "gamma_c")
    params = model.parameter_values({"gamma_c": 0.3})
    np.testing.assert_allclose(position.diffusion(model, params), [[0, 0], [0, 0.6]])  # D2 = 2 gamma v v^T
    assert position.formula(model) == "-gamma_c [q, [q, rho]]"
    dephasing = cqplug.QuantumDephasing("gamma_q", coupling=0)
    np.testing.assert_allclose(dephasing.decoherence(model, model.parameter_values({"gamma_q": 0.2})), [[0.4]])
    f, B = dephasing.operator(model)
    assert f == 1 and np.allclose(B, np.diag([1, -1]))
    with pytest.raises(InvalidProblem, match="linear in"):
        cqplug.ClassicalDecoherence("q**2", "gamma_c").validate(model)


def test_product_state_orders_coordinates_then_momenta():
    a = cqplug.coherent_state(1.0, 2.0, m=2.0, omega=1.0)
    both = cqplug.product_state(a, cqplug.GaussianState([-3.0, 0.5], np.diag([0.25, 2.0])))
    np.testing.assert_allclose(both.mean, [1.0, -3.0, 2.0, 0.5])  # (q1, q2, p1, p2)
    np.testing.assert_allclose(both.covariance, np.diag([0.25, 0.25, 1.0, 2.0]))


@pytest.mark.unit
@pytest.mark.parametrize("name", ["toy", "stern-gerlach", "mediated-qubits", "two-oscillators", "anharmonic"])
def test_derive_latex_is_valid_latex_with_every_section_of_the_plain_text(name):
    """Through a LaTeX-to-MathML parser without error; braces balanced; no raw < or > (expectations are
    \\langle ... \\rangle); symbols typeset; the sections of the plain output all there."""
    from latex2mathml.converter import convert

    from cqplug.problem.derivation import derive

    latex, plain = derive(name, latex=True), derive(name)
    body = "\n".join(line for line in latex.splitlines() if not line.startswith("%"))
    convert(body)
    assert body.count("{") == body.count("}") and body.count(r"\begin{align}") == body.count(r"\end{align}") == 1
    bare = body.replace(r"\langle", "").replace(r"\rangle", "")
    assert "<" not in bare and ">" not in bare, bare
    sections = {"## Hamiltonian": "H(z) &=", "## Hamilton's equations": r"\frac{d", "## Diffusion": "D_2 &=",
                "## Complete positivity": r"\geq", "## Hybrid": r"\partial_t W", "## CQ trajectories": "dz &="}
    for heading, marker in sections.items():
        assert heading in plain and marker in body, heading
    assert ("minimal" in plain) == (r"\text{(its minimum" in body)
    assert ("sigma = " in plain) == (r"d\rho &=" in body)
    if name == "toy":
        assert r"\lambda" in body and r"\langle \sigma_{z} \rangle" in body and "lam" not in body.replace("lambda", "")


@pytest.mark.unit
def test_a_problem_and_a_model_show_their_numbers_and_equations_in_a_notebook():
    import cqplug

    problem = cqplug.Problem("toy", {"gamma_q": 0.5})
    page = problem._repr_html_()
    assert "<td>gamma_q</td><td>0.5</td>" in page and "trade-off ratio 2 (&gt;= 1 required): valid" in page
    assert "CQ description: exact" in page
    described = problem.model._repr_html_()
    assert "<pre>" in described and "16*gamma_c*gamma_q &gt;= lam^2" in described  # what `cqplug describe` says
