"""cqplug run --plot and cqplug plot: figures of saved results, with the reference overlaid."""

import subprocess
import sys

import numpy as np
import pytest

from cqplug import Result

pytestmark = pytest.mark.integration
pytest.importorskip("matplotlib")


def _cqplug(*args):
    return subprocess.run([sys.executable, "-m", "cqplug.cli", *args], capture_output=True, text=True, timeout=600)


def test_run_with_reference_saves_the_reference_and_plots(tmp_path):
    pytest.importorskip("qutip")
    out, png = tmp_path / "r.npz", tmp_path / "r.png"
    run = _cqplug("run", "toy", "-n", "2000", "--seed", "1", "--t-final", "1", "--reference", "-o", str(out),
                  "--plot", str(png), "--residuals", "--quiet")
    assert run.returncode == 0, run.stderr
    result = Result.load(out)
    assert set(result.reference) == set(result.observables)
    # the stored reference is the exact solution: <q^2> = 1/2 + lam^2 (1 - cos t)^2 + gamma_c (t - sin 2t / 2)
    t = result.times
    np.testing.assert_allclose(result.reference["q2"], 0.5 + (1 - np.cos(t)) ** 2 + 0.25 * (t - np.sin(2 * t) / 2),
                               atol=1e-5)
    assert png.read_bytes()[:4] == b"\x89PNG"
    replot = _cqplug("plot", str(out), "--observables", "q2,sx", "-o", str(tmp_path / "two.png"))
    assert replot.returncode == 0 and (tmp_path / "two.png").stat().st_size > 5_000, replot.stderr


def test_plot_draws_bands_reference_and_histograms(tmp_path):
    from cqplug.results.plotting import plot_result

    t = np.linspace(0, 1, 5)
    edges = np.linspace(-1, 1, 4)
    result = Result(t, {"a": {"mean": t, "stderr": 0.1 + 0 * t}, "b": {"mean": -t, "stderr": 0 * t}},
                    {"q": {"edges": edges, "probability": np.full((5, 3), 1 / 3)}}, {}, {"model": "m", "method": "cq"},
                    {"a": t + 0.01})
    fig = plot_result(result)
    a, b, hist = [ax for ax in fig.axes if ax.get_visible()][:3]
    assert len(a.collections) == 1 and len(b.collections) == 0  # a band only where stderr > 0
    assert [line.get_label() for line in a.lines] == ["cq", "exact"] and len(b.lines) == 1
    assert hist.get_ylabel() == "q" and hist.collections[0].get_array().reshape(3, 5)[0, 0] == pytest.approx(0.5)


def test_plot_refuses_unknown_observables_and_missing_files(tmp_path):
    Result(np.zeros(1), {"a": {"mean": np.zeros(1), "stderr": np.zeros(1)}}).save(tmp_path / "r.json")
    bad = _cqplug("plot", str(tmp_path / "r.json"), "--observables", "nope")
    assert bad.returncode == 2 and "no observable(s) ['nope']" in bad.stderr
    missing = _cqplug("plot", str(tmp_path / "missing.json"))
    assert missing.returncode == 2 and "cannot read result" in missing.stderr and "no such file" in missing.stderr


def test_labels_units_pi_and_no_empty_cells():
    from cqplug.results.plotting import plot_result, pretty_number

    assert pretty_number(3.141592653589793 / 2) == "π/2" and pretty_number(2 * 3.141592653589793) == "2π"
    assert pretty_number(0.25) == "0.25"
    t = np.linspace(0, 1, 5)
    obs = {n: {"mean": t, "stderr": 0.1 + 0 * t} for n in ("q2", "sx", "sz", "qsz")}
    result = Result(t, obs, {"q": {"edges": np.linspace(-1, 1, 4), "probability": np.full((5, 3), 1 / 3)},
                             "p": {"edges": np.linspace(-1, 1, 4), "probability": np.full((5, 3), 1 / 3)}},
                    {}, {"model": "toy", "method": "cq", "parameters": {"theta": 3.141592653589793 / 2},
                         "labels": {"q2": "⟨q²⟩", "sx": "⟨σ_x⟩"}})
    fig = plot_result(result, observables=["q2", "sx", "q"])
    visible = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    # typeset (mathtext), no literal underscore; only q's heat map
    assert [ax.get_ylabel() for ax in visible][:3] == [r"$\langle q^2\rangle$", r"$\langle \sigma_x\rangle$", "q"]
    assert "model units" in visible[0].get_xlabel() and "θ" not in fig._suptitle.get_text()
    assert "theta = π/2" in fig._suptitle.get_text()
    assert not [ax for ax in fig.axes if not ax.get_visible()]  # 3 panels: one row, no empty cell


def test_the_default_figure_fits_a_slide_and_names_what_it_left_out():
    from cqplug.results.plotting import MAX_PANELS, default_panels, plot_result

    t = np.linspace(0, 1, 5)
    names = ["q", "q2", "p", "p2", "sx", "sy", "sz", "qsz"]
    hist = {v: {"edges": np.linspace(-1, 1, 4), "probability": np.full((5, 3), 1 / 3)} for v in ("q", "p")}
    result = Result(t, {n: {"mean": t, "stderr": 0.1 + 0 * t} for n in names}, hist, {}, {"model": "toy"})
    shown, histograms, left_out = default_panels(result)
    assert MAX_PANELS == 6 and shown == ["q2", "p2", "sx", "sy", "sz", "qsz"]  # the means of q and p come last
    assert not histograms and left_out == ["q", "p", "q (histogram)", "p (histogram)"]
    fig = plot_result(result)
    width, height = fig.get_size_inches()
    assert height <= width <= 16 / 9 * height + 1e-9 and width * 100 <= 1280  # landscape, <= 16:9, 1280 px
    assert len([ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]) == MAX_PANELS
