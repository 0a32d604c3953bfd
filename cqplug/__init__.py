"""cqplug: exact classical–quantum (CQ) dynamics.

    import cqplug
    problem = cqplug.Problem("toy", {"lam": 1.0, "gamma_c": 0.25, "gamma_q": 0.25}, t_final=3.0)
    result = cqplug.solve(problem, method="cq", trajectories=20_000, seed=1)
    result.mean("q2"), result.stderr("q2")
"""

__version__ = "0.1.0"

from .channels import ClassicalDecoherence, QuantumDephasing  # noqa: E402
from .errors import BackendUnavailable, CQPlugError, InvalidProblem, PositivityViolation, UnknownName  # noqa: E402
from .hookspecs import hookimpl  # noqa: E402
from .model import Model, Observable, Parameter, pauli_matrices  # noqa: E402
from .problem import Problem  # noqa: E402
from .result import Result  # noqa: E402
from .scan import Scan, scan  # noqa: E402
from .solve import DEFAULT_BACKEND, solve  # noqa: E402
from .states import GaussianState, InitialState, coherent_state, product_state, qubit_state, wave_packet  # noqa: E402

__all__ = [
    "BackendUnavailable", "CQPlugError", "ClassicalDecoherence", "DEFAULT_BACKEND", "GaussianState",
    "InitialState", "InvalidProblem", "Model", "Observable", "Parameter", "PositivityViolation", "Problem",
    "QuantumDephasing", "Result", "Scan", "UnknownName", "coherent_state", "hookimpl", "pauli_matrices",
    "product_state", "qubit_state", "scan", "solve", "wave_packet",
]
