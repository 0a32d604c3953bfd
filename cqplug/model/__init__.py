"""The physics a user declares: models, their parameters and observables, channels, initial states."""

from .arrays import Linear, Quadratic
from .channels import Channel, ClassicalDecoherence, ClassicalLindblad, QuantumDephasing, QuantumLindblad
from .model import Model, Observable, Parameter, as_matrix, pauli_matrices
from .states import (
    GaussianState,
    InitialState,
    check_initial_state,
    coherent_state,
    product_state,
    qubit_state,
    symplectic_form,
    wave_packet,
)

__all__ = ["Channel", "ClassicalDecoherence", "ClassicalLindblad", "GaussianState", "InitialState", "Linear", "Model",
           "Quadratic",
           "Observable", "Parameter", "QuantumDephasing", "QuantumLindblad", "as_matrix", "check_initial_state",
           "coherent_state", "pauli_matrices", "product_state", "qubit_state", "symplectic_form", "wave_packet"]
