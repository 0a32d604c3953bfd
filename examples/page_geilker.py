"""The Page–Geilker set-up: does the oscillator follow the qubit's actual outcome or its average?

    python examples/page_geilker.py [--quick] [--output page_geilker.png]

The qubit starts in |+>, the oscillator in its ground state, and the coupling lam q sigma_z pushes
the oscillator towards q = -lam sigma_z (1 - cos t). At t = pi the exact position distribution
has two peaks at q = -+2 lam / (m omega^2), closed or open: the oscillator follows the outcome.
CQ trajectories (open dynamics at the minimal decoherence) reproduce the open distribution bin
by bin; mean-field (semi-classical gravity's recipe, closed dynamics) puts one peak at q = 0.
Draws the four distributions on one axis and prints them (needs QuTiP: pip install "cqplug[reference]").
"""

import math

import numpy as np
from _common import check, figure, parser, save

import cqplug

RANGE, BINS = (-5.0, 5.0), 40


def peaks(h):
    """(centre of the highest bin left of 0, right of 0, highest overall)."""
    centres = 0.5 * (h["edges"][1:] + h["edges"][:-1])
    prob = h["probability"][-1]
    left, right = centres < 0, centres > 0
    return centres[left][np.argmax(prob[left])], centres[right][np.argmax(prob[right])], centres[np.argmax(prob)]


def main():
    args = parser(__doc__, "page_geilker.png").parse_args()
    trajectories = 20_000 if args.quick else 200_000
    common = dict(bins=BINS, hist_range={"q": RANGE})
    opened = cqplug.Problem("toy", t_final=math.pi, save_dt=math.pi / 4)
    closed = cqplug.Problem("toy", {"gamma_c": 0.0, "gamma_q": 0.0}, t_final=math.pi, save_dt=math.pi / 4,
                            require_cq=False)
    hist = {
        "exact, closed": cqplug.solve(closed, "lindblad", **common).histograms["q"],
        "exact, open (16 γ_c γ_q = λ²)": cqplug.solve(opened, "lindblad", **common).histograms["q"],
        "CQ trajectories, open": cqplug.solve(opened, "cq", trajectories=trajectories, seed=1,
                                              progress=False, **common).histograms["q"],
        "mean-field, closed": cqplug.solve(closed, "mean-field", trajectories=trajectories, seed=1,
                                           progress=False, **common).histograms["q"],
    }
    edges = hist["exact, closed"]["edges"]
    centres, width = 0.5 * (edges[1:] + edges[:-1]), edges[1] - edges[0]
    fig = figure(figsize=(8, 4.8))
    ax = fig.subplots()
    styles = {"exact, closed": dict(color="0.3", lw=2.5), "exact, open (16 γ_c γ_q = λ²)": dict(color="k", lw=1.5),
              "CQ trajectories, open": dict(color="C0", lw=0, marker="o", ms=4),
              "mean-field, closed": dict(color="C3", lw=1.5, ls="--")}
    for label, h in hist.items():
        ax.plot(centres, h["probability"][-1] / width, label=label, **styles[label])
    cq = hist["CQ trajectories, open"]
    p = hist["exact, open (16 γ_c γ_q = λ²)"]["probability"][-1]
    err = np.sqrt(p * (1 - p) / cq["trajectories"])
    ax.errorbar(centres, cq["probability"][-1] / width, yerr=2 * err / width, fmt="none", ecolor="C0", lw=1)
    for s in (-2, 2):
        ax.axvline(s, color="0.6", lw=0.8, ls=":")
    ax.set_xlabel("oscillator position q  (units of 1/√(mω), ħ = 1)")
    ax.set_ylabel("probability density P(q, t = π)")
    ax.set_title("Page–Geilker: the oscillator follows the qubit's outcome (peaks at q = ∓2λ/mω²)")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    save(fig, args.output)
    print(f"wrote {args.output}\nP(q) at t = pi (bin width {width:.2f}):")
    width_column = max(len(label) for label in hist) + 1  # every header whole
    print(f"{'q':>6} " + " ".join(f"{label:>{width_column}}" for label in hist))
    for i, c in enumerate(centres):
        print(f"{c:>6.2f} " + " ".join(f"{h['probability'][-1][i]:>{width_column}.4f}" for h in hist.values()))

    keep = p > 1e-4
    z = np.abs((cq["probability"][-1] - p)[keep] / err[keep]).max()
    for label in ("exact, closed", "exact, open (16 γ_c γ_q = λ²)", "CQ trajectories, open"):
        left, right, _ = peaks(hist[label])
        check(
            abs(left + 2) <= width and abs(right - 2) <= width,
            f"{label}: peaks at q = -+2 (found {left:.2f}, {right:.2f})",
        )
    check(abs(peaks(hist["mean-field, closed"])[2]) < width, "mean-field: a single peak at q = 0")
    check(z < 4.5, f"CQ histogram matches the exact open distribution bin by bin (max binomial |z| = {z:.1f})")


if __name__ == "__main__":
    main()
