"""Statistics done once in core, results on disk, and the comparison with a reference; every
formula checked against a direct NumPy computation."""

import json
from pathlib import Path

import numpy as np
import pytest

from cqplug import Result
from cqplug.errors import CQPlugError
from cqplug.results.compare import bonferroni_bound, step_error_line, verdict
from cqplug.results.result import format_value
from cqplug.results.statistics import EnsembleStatistics, HistogramSpec
from cqplug.solving.backend import Trajectories

pytestmark = pytest.mark.unit

SPEC = HistogramSpec(np.array([-1.0, -2.0]), np.array([0.5, 1.0]), 4)


def block(rng, n, shift=0.0):
    values = rng.normal(shift, 1.0, size=(n, 3, 2))
    coarse = values + rng.normal(0.01, 0.1, size=values.shape)
    return Trajectories(values, coarse, rng.normal(size=(n, 3, 2)))


def test_blocks_merged_in_order_equal_the_whole():
    rng = np.random.default_rng(1)
    parts = [block(rng, n, shift) for n, shift in ((7, 0.0), (11, 3.0), (5, -1.0))]
    merged = None
    for part in parts:
        stats = EnsembleStatistics.of_block(part, SPEC, 2)
        merged = stats if merged is None else merged.merge(stats)
    values = np.concatenate([p.values for p in parts])
    delta = np.concatenate([p.coarse for p in parts]) - values
    assert merged.count == 23
    np.testing.assert_allclose(merged.mean, values.mean(axis=0).T, atol=1e-13)
    np.testing.assert_allclose(merged.stderr, values.std(axis=0, ddof=1).T / np.sqrt(23), atol=1e-13)
    np.testing.assert_allclose(merged.diff_mean, delta.mean(axis=0).T, atol=1e-13)
    co = ((values - values.mean(0)) * (delta - delta.mean(0))).sum(0).T
    np.testing.assert_allclose(merged.co_m2, co, atol=1e-12)
    assert merged.paths.shape == (6, 3, 2)  # the first two of each block here (one per block in real runs)


def test_bias_and_extrapolation_formulas():
    """bias = E[coarse - fine] / (2^p - 1); extrapolated = f - delta / (2^p - 1) per trajectory."""
    rng = np.random.default_rng(2)
    part = block(rng, 400)
    stats = EnsembleStatistics.of_block(part, SPEC, 0)
    bias, bias_err = stats.bias(2)
    delta = part.coarse - part.values
    np.testing.assert_allclose(bias, delta.mean(0).T / 3, atol=1e-14)
    np.testing.assert_allclose(bias_err, delta.std(0, ddof=1).T / np.sqrt(400) / 3, atol=1e-14)
    combined = part.values - delta / 3
    mean, err = stats.extrapolated(2)
    np.testing.assert_allclose(mean, combined.mean(0).T, atol=1e-13)
    np.testing.assert_allclose(err, combined.std(0, ddof=1).T / np.sqrt(400), atol=1e-13)


def test_group_moments_from_a_kernel_merge_like_blocks():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(2, 5, 3, 2))  # two groups of five lanes
    mean, m2 = values.mean(1), ((values - values.mean(1, keepdims=True)) ** 2).sum(1)
    stats = EnsembleStatistics.of_groups(np.array([5, 5]), mean, m2, None, None, None, np.zeros((2, 3, 6)),
                                         np.zeros((0, 3, 2)), np.zeros((0, 3, 2)))
    flat = values.reshape(10, 3, 2)
    np.testing.assert_allclose(stats.mean, flat.mean(0).T, atol=1e-14)
    np.testing.assert_allclose(stats.m2, ((flat - flat.mean(0)) ** 2).sum(0).T, atol=1e-13)
    assert stats.bias(2) == (None, None)


def test_histogram_counts_edges_and_non_finite_values():
    z = np.array([[[-1.5, 0.0]], [[-0.9, 1.9]], [[np.nan, -3.0]], [[5.0, 2.5]]])  # (n, times, variables)
    counts = SPEC.counts(z)
    assert counts.shape == (2, 1, 6)
    assert counts[0, 0].tolist() == [1, 1, 0, 0, 0, 2]  # underflow, bin 1, ..., overflow (NaN, 5.0)
    assert counts[1, 0].tolist() == [1, 0, 0, 1, 1, 1]


def test_results_are_standard_json_and_load_back(tmp_path):
    t = np.linspace(0, 1, 3)
    result = Result(t, {"a": {"mean": t, "stderr": t + 1, "bias": 0 * t, "bias_stderr": 0 * t}},
                    {"q": {"edges": np.arange(3.0), "probability": np.ones((3, 2)) / 2,
                           "underflow": np.full(3, np.nan), "overflow": np.full(3, np.nan), "trajectories": 4}},
                    {}, {"seed": 1, "value": np.float64(np.inf)})
    result.save(tmp_path / "r.json")
    text = (tmp_path / "r.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard constant {c}"))
    loaded = Result.load(tmp_path / "r.json")
    assert np.isnan(loaded.histograms["q"]["underflow"]).all() and loaded.info.details["value"] is None
    np.testing.assert_array_equal(loaded.mean("a"), t)
    result.save(tmp_path / "r.npz")
    np.testing.assert_array_equal(Result.load(tmp_path / "r.npz").stderr("a"), t + 1)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries left


@pytest.mark.parametrize("content, fragment", [
    ('{"times": [0, 1], "obse', "not a complete .json/.npz/.nc result"),
    ('{"grid": {}, "points": [], "results": [], "errors": [], "info": {}}', "is a parameter scan"),
    ('{"something": 1}', "is not a cqplug result"),
    ('[1, 2]', "is not a cqplug result"),
])
def test_loading_foreign_or_truncated_files_says_what_is_wrong(tmp_path, content, fragment):
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(CQPlugError, match=fragment):
        Result.load(path)


def test_loading_a_broken_npz_or_a_missing_file(tmp_path):
    (tmp_path / "x.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CQPlugError, match="not a complete"):
        Result.load(tmp_path / "x.npz")
    with pytest.raises(CQPlugError, match="no such file"):
        Result.load(tmp_path / "missing.json")


def test_saving_refuses_bad_paths_before_writing(tmp_path):
    result = Result(np.zeros(1), {"a": {"mean": np.zeros(1), "stderr": np.zeros(1)}})
    for path, fragment in (
        (tmp_path / "r.txt", "ending in .json or .npz"),
        (tmp_path / "no" / "r.json", "does not exist"),
        (tmp_path, "ending in"),
    ):
        with pytest.raises(CQPlugError, match=fragment):
            result.save(path)


def test_every_row_is_formatted_alike():
    assert format_value(0.5, 0.0123) == "0.500 ± 1.2e-02"
    assert format_value(1.0, 0.0) == "1.000000 ± 0"
    assert format_value(3e-19, 1.6e-18) == "0.000000 ± 0"  # rounding, not statistics


def test_verdict_uses_a_bonferroni_bound():
    assert bonferroni_bound(1) == pytest.approx(2.5758, abs=1e-4)
    t = np.linspace(0, 1, 101)
    exact = Result(t, {"a": {"mean": 0 * t, "stderr": 0 * t}})
    rng = np.random.default_rng(4)
    good = Result(t, {"a": {"mean": rng.normal(0, 0.01, t.size), "stderr": np.full(t.size, 0.01)}})
    text, ok = verdict(good, exact)
    assert ok and "consistent with exactness" in text
    bad = Result(t, {"a": {"mean": 0.06 + 0 * t, "stderr": np.full(t.size, 0.01)}})
    assert not verdict(bad, exact)[1]


def test_step_error_line_warns_only_when_the_step_error_is_significant():
    t = np.linspace(0, 1, 5)

    def run(bias, noise):
        return Result(
            t,
            {
                "a": {
                    "mean": 1 + 0 * t,
                    "stderr": np.full(5, 0.01),
                    "bias": np.full(5, bias),
                    "bias_stderr": np.full(5, noise),
                }
            },
            info={"dt": 0.1, "weak_order": 2},
        )

    from cqplug.results.step_error import STATEMENTS

    below, unresolved, above = run(0.001, 0.001), run(0.008, 0.004), run(0.05, 0.005)
    assert [r.step_error().verdict for r in (below, unresolved, above)] == ["below", "unresolved", "above"]
    line, ok = step_error_line(below)
    assert ok and STATEMENTS["below"] in line and "at most 0.30 standard errors" in line  # (0.001 + 0.002)/0.01
    line, ok = step_error_line(unresolved)
    assert ok and STATEMENTS["unresolved"] in line and "between 0.00 and 1.60" in line  # no warning
    line, ok = step_error_line(above)
    assert not ok and "WARNING" in line and STATEMENTS["above"] in line
    assert "--dt 0.01 " in line  # 0.1 * 0.5 / 5, assuming only order 1
    assert str(above.step_error()) == line  # the CLI's sentence is the object's
    with pytest.warns(DeprecationWarning, match=r"step_error\(\)\[name\]"):
        assert above.step_error()["estimate"] == above.step_error().estimate == pytest.approx(5.0)
    numerics = (Path(__file__).resolve().parents[1] / "docs" / "numerics.md").read_text()
    assert all(f'"{statement}"' in numerics for statement in STATEMENTS.values())  # one vocabulary, documented


def test_core_refuses_non_finite_trajectories_from_any_backend():
    from types import SimpleNamespace

    from cqplug.solving.backend import TrajectoryDiverged, check_finite

    system = SimpleNamespace(z_names=("q", "p"), linear_flow=None, dt=0.01)
    good = np.zeros((3, 2, 4))
    ok = Trajectories(good, good.copy(), np.zeros((3, 2, 2)))
    assert check_finite(ok, system) is ok
    bad = np.array([0.0, np.nan])
    cases = [(Trajectories(good, None, np.zeros((3, 2, 2)) + bad), "classical", r"\(q, p\) ran away"),
             (Trajectories(good + np.nan, None, np.zeros((3, 2, 2))), "quantum", "lost its normalisation at"),
             (Trajectories(good, good + np.nan, np.zeros((3, 2, 2))), "quantum", "on the coarse grid 2 dt")]
    for out, kind, fragment in cases:
        with pytest.raises(TrajectoryDiverged, match=fragment) as caught:
            check_finite(out, system)
        assert caught.value.kind == kind


@pytest.mark.unit
def test_results_and_scans_print_in_one_line():
    """A notebook shows a Result or a Scan as one line, not its arrays."""
    import cqplug

    problem = cqplug.Problem("toy", t_final=0.5, save_dt=0.25)
    result = cqplug.solve(problem, "mean-field", trajectories=64, seed=1, progress=False)
    text = repr(result)
    assert "\n" not in text and "'toy'" in text and "64 trajectories" in text and "8 observables at 3 times" in text
    scan = cqplug.scan(problem, {"lam": [0.5, 1.0]}, method="mean-field", trajectories=64, seed=1, progress=False)
    assert repr(scan) == "Scan(lam: 2 values; 2 of 2 points solved)"


def test_notebook_views_are_the_command_lines_texts_as_escaped_tables():
    from cqplug.results.scan import Scan

    t = np.linspace(0, 1, 5)
    entry = {"mean": 1.005 + 0 * t, "stderr": np.full(5, 0.01), "bias": np.full(5, 0.001),
             "bias_stderr": np.full(5, 0.001)}
    result = Result(t, {"a<b": entry}, info={"dt": 0.1, "model": "m", "method": "cq"}, reference={"a<b": 1 + 0 * t})
    page = result._repr_html_()
    assert "<table>" in page and "a&lt;b" in page and "a<b" not in page  # escaped
    assert "1.005 ± 1.0e-02" in page and step_error_line(result)[0] in page  # summary()'s cells, the CLI's line
    assert "consistent with exactness" in page  # the verdict against the reference it carries
    scan = Scan({"lam": [0.5, 1.0]}, [{"lam": 0.5}, {"lam": 1.0}], [result, None], [None, "refused: too weak"], {})
    view = scan._repr_html_()
    assert "<td>0.5</td>" in view and "no result: refused: too weak" in view and "a&lt;b (t = 1)" in view
