"""Where is mean-field good enough? Its error against the exact dynamics as the coupling lam and
the qubit's initial superposition theta vary.

    python examples/mean_field_validity.py [--quick] [--output mean_field_validity.png]

Toy model, closed dynamics (the semi-classical gravity setting: no decoherence), delta = 0,
oscillator ground state, qubit cos(theta/2)|0> + sin(theta/2)|1>, t <= 2 pi. Two errors of
mean-field (an ensemble over the initial Wigner function) against the exact QuTiP solution, each
the maximum over time: in the oscillator's spread <q^2>, and the trace distance between the
qubit states (|r_exact - r_mf| / 2 for Bloch vectors r). Mean-field is exact without coupling
(lam = 0) and for a qubit in a sigma_z eigenstate (theta = 0). Its <q^2> error is
lam^2 sin^2 theta (1 - cos t)^2, largest (4 lam^2 sin^2 theta) at t = pi: the spread of the two
branches that the mean force averages away. The qubit error is largest at intermediate theta,
where the mean force displaces the oscillator and mean-field predicts a coherent rotation of
the qubit that the exact, entangled dynamics does not have.
"""

import math

import numpy as np
from _common import check, figure, parser, save

import cqplug


def errors(lam: float, theta: float, trajectories: int) -> tuple:
    problem = cqplug.Problem("toy", {"lam": lam, "theta": theta, "delta": 0.0, "gamma_c": 0.0, "gamma_q": 0.0},
                             t_final=2 * math.pi, save_dt=math.pi / 16, require_cq=False)
    exact = cqplug.solve(problem, "lindblad", tolerance=1e-5)
    mf = cqplug.solve(problem, "mean-field", trajectories=trajectories, seed=3, progress=False)
    q2 = np.abs(mf.mean("q2") - exact.mean("q2")).max()
    bloch = np.sqrt(sum((mf.mean(k) - exact.mean(k)) ** 2 for k in ("sx", "sy", "sz")))
    return q2, 0.5 * bloch.max(), 4 * mf.stderr("q2").max()


def main():
    args = parser(__doc__, "mean_field_validity.png").parse_args()
    lams = np.array([0.0, 0.5, 1.0]) if args.quick else np.linspace(0.0, 1.5, 7)
    thetas = np.array([0.0, np.pi / 4, np.pi / 2]) if args.quick else np.linspace(0.0, np.pi / 2, 7)
    trajectories = 1_000 if args.quick else 4_000
    q2_error = np.zeros((len(lams), len(thetas)))
    qubit_error = np.zeros_like(q2_error)
    noise = 0.0
    for i, lam in enumerate(lams):
        for j, theta in enumerate(thetas):
            q2_error[i, j], qubit_error[i, j], n = errors(lam, theta, trajectories)
            noise = max(noise, n)
            print(f"lam = {lam:4.2f}, theta = {theta:4.2f}: max error <q^2> {q2_error[i, j]:.4f}, "
                  f"qubit trace distance {qubit_error[i, j]:.4f}")
    fig = figure(figsize=(11, 4.4))
    for ax, err, label in zip(fig.subplots(1, 2), (q2_error, qubit_error),
                              ("max_t |⟨q²⟩_mf − ⟨q²⟩_exact|", "max_t trace distance of the qubit states")):
        image = ax.pcolormesh(thetas, lams, err, shading="nearest", cmap="magma")
        fig.colorbar(image, ax=ax, label=label)
        ax.set_xlabel("initial qubit angle θ (0: |0⟩, π/2: |+⟩)")
        ax.set_ylabel("coupling λ  (units of ω √(mω))")
    fig.suptitle("Mean-field error in closed dynamics (δ = 0, t ≤ 2π): good only where λ sin θ is small")
    save(fig, args.output)
    print(f"wrote {args.output}")

    check(q2_error[0].max() < noise and qubit_error[0].max() < 1e-3,
          "lam = 0: mean-field is exact (errors within the Monte Carlo noise / step error)")
    predicted = 4 * lams[:, None] ** 2 * np.sin(thetas[None, :]) ** 2
    worst = np.abs(q2_error - predicted).max()
    check(worst < noise + 0.02, f"the <q^2> error is 4 lam^2 sin^2 theta (largest deviation {worst:.3f})")
    check(np.all(qubit_error[:, 0] < 1e-3), "theta = 0 (a sigma_z eigenstate): mean-field's qubit is exact")


if __name__ == "__main__":
    main()
