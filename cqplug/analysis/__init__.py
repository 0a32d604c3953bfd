"""Analysis of states and results: the partial Wigner transform, Pauli tomography, negativity."""
