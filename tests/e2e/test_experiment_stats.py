"""Experiment statistics against GrowthBook's own engine: for fixed datasets (proportions, means,
ratios, two and three variants, with and without CUPED, 100 to 1,000,000 users per variant),
`almanac experiment analyze` gives the lift, its interval, the p-value (fixed horizon and
sequential), the chance to beat control, the risks and the sample-ratio-mismatch p-value that
`gbstats` (PyPI) computes on the same sums, to 1e-6."""
import json
import subprocess

import numpy as np
import pytest
from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig
from gbstats.frequentist.tests import FrequentistConfig, SequentialConfig, SequentialTwoSidedTTest, TwoSidedTTest
from gbstats.models.statistics import ProportionStatistic, RatioStatistic, RegressionAdjustedStatistic, SampleMeanStatistic
from gbstats.utils import check_srm

from conftest import BINARY


def units(rng, kind, n, lift):
    """Per-unit sums for one variant, drawn from a fixed seed: what a warehouse query returns."""
    if kind == "proportion":
        post = rng.binomial(1, min(0.1 * (1 + lift), 1), n).astype(float)
        pre = np.where(rng.random(n) < 0.6, post, rng.binomial(1, 0.1, n)).astype(float)
        return {"n": n, "sum": post.sum(), "sum_squares": post.sum(), "pre_sum": pre.sum(), "pre_sum_squares": pre.sum(),
                "sum_products": (post * pre).sum()}
    pre = rng.lognormal(2, 1, n)
    post = pre * 0.8 * (1 + lift) + rng.lognormal(1.5, 1, n)
    denominator = rng.poisson(3, n) + 1.0
    return {"n": n, "sum": post.sum(), "sum_squares": (post ** 2).sum(), "pre_sum": pre.sum(), "pre_sum_squares": (pre ** 2).sum(),
            "denominator_sum": denominator.sum(), "denominator_sum_squares": (denominator ** 2).sum(),
            "sum_products": (post * (denominator if kind == "ratio" else pre)).sum()}


def gb_statistic(kind, cuped, v):
    if kind == "proportion":
        post = ProportionStatistic(n=v["n"], sum=v["sum"])
        pre = ProportionStatistic(n=v["n"], sum=v["pre_sum"])
    else:
        post = SampleMeanStatistic(n=v["n"], sum=v["sum"], sum_squares=v["sum_squares"])
        pre = SampleMeanStatistic(n=v["n"], sum=v["pre_sum"], sum_squares=v["pre_sum_squares"])
    if kind == "ratio":
        denominator = SampleMeanStatistic(n=v["n"], sum=v["denominator_sum"], sum_squares=v["denominator_sum_squares"])
        return RatioStatistic(n=v["n"], m_statistic=post, d_statistic=denominator, m_d_sum_of_products=v["sum_products"])
    if cuped:
        return RegressionAdjustedStatistic(n=v["n"], post_statistic=post, pre_statistic=pre, post_pre_sum_of_products=v["sum_products"], theta=0)
    return post


CASES = [
    # (kind, cuped, users per variant, planted lift per variant after control, difference, weights)
    ("proportion", False, [100, 100], [0.3], "relative", None),
    ("proportion", False, [10_000, 10_050], [0.05], "relative", None),
    ("proportion", False, [1_000_000, 999_000], [0.01], "absolute", None),
    ("proportion", False, [5_000, 5_100, 4_900], [0.0, 0.08], "relative", None),
    ("proportion", True, [20_000, 20_000], [0.04], "relative", None),
    ("mean", False, [100, 120], [0.1], "relative", None),
    ("mean", False, [250_000, 250_300], [0.01], "relative", None),
    ("mean", False, [1_000_000, 1_000_000], [0.002], "absolute", None),
    ("mean", True, [5_000, 5_000], [0.02], "relative", None),
    ("mean", True, [3_000, 3_000, 3_000], [0.0, 0.05], "absolute", None),
    ("ratio", False, [8_000, 8_000], [0.03], "relative", None),
    ("proportion", False, [7_000, 3_050], [0.02], "relative", [0.7, 0.3]),
]


def close(ours, theirs, what):
    assert abs(ours - theirs) <= 1e-6 * max(1.0, abs(theirs)), f"{what}: Almanac {ours!r}, gbstats {theirs!r}"


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{'cuped-' if c[1] else ''}{len(c[2])}x{c[2][0]}-{c[4]}" for c in CASES])
def test_results_equal_gbstats(workdir, case):
    kind, cuped, users, lifts, difference, weights = case
    rng = np.random.default_rng(sum(users) + len(users))
    variants = [{"name": "control" if i == 0 else f"v{i}", **units(rng, kind, n, 0.0 if i == 0 else lifts[i - 1])}
                for i, n in enumerate(users)]
    # Every other case is a lower-is-better metric: the chance to beat control and the risks read the other way.
    inverse = CASES.index(case) % 2 == 1
    data = {"kind": kind, "cuped": cuped, "difference": difference, "variants": variants, "inverse": inverse}
    if weights:
        data["weights"] = weights
    path = workdir / "data.json"
    path.write_text(json.dumps(data, default=float))
    run = subprocess.run([str(BINARY), "experiment", "analyze", str(path), "--format", "json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    analysis = json.loads(run.stdout)

    close(analysis["srm_p_value"], check_srm([v["n"] for v in variants], weights or [1 / len(users)] * len(users)), "SRM p-value")
    for i, variant in enumerate(variants[1:], start=1):
        row = analysis["variants"][i]
        def pair():
            return gb_statistic(kind, cuped, variants[0]), gb_statistic(kind, cuped, variant)
        fixed = TwoSidedTTest(*pair(), FrequentistConfig(difference_type=difference)).compute_result()
        sequential = SequentialTwoSidedTTest(*pair(), SequentialConfig(difference_type=difference)).compute_result()
        bayes = EffectBayesianABTest(*pair(), EffectBayesianConfig(difference_type=difference, inverse=inverse)).compute_result()
        for name, ours, theirs in [("fixed", row["frequentist"], fixed), ("sequential", row["sequential"], sequential)]:
            assert theirs.error_message is None and ours.get("problem") is None, (theirs.error_message, ours)
            close(ours["expected"], theirs.expected, f"{name} lift of {variant['name']}")
            close(ours["lower"], theirs.ci[0], f"{name} lower bound of {variant['name']}")
            close(ours["upper"], theirs.ci[1], f"{name} upper bound of {variant['name']}")
            close(ours["p_value"], theirs.p_value, f"{name} p-value of {variant['name']}")
        ours = row["bayesian"]
        close(ours["chance_to_win"], bayes.chance_to_win, "chance to beat control")
        close(ours["expected"], bayes.expected, "posterior mean")
        close(ours["lower"], bayes.ci[0], "credible lower bound")
        close(ours["upper"], bayes.ci[1], "credible upper bound")
        close(ours["risk_control"], bayes.risk[0], "risk of control")
        close(ours["risk_variant"], bayes.risk[1], "risk of the variant")


def test_sample_ratio_mismatch_and_bad_files(workdir):
    def analyze(text):
        path = workdir / "split.yaml"
        path.write_text(text)
        return subprocess.run([str(BINARY), "experiment", "analyze", str(path), "--format", "json"], capture_output=True, text=True)

    def split(a, b):
        return json.loads(analyze(f"variants:\n  - {{name: control, n: {a}, sum: 1000}}\n  - {{name: b, n: {b}, sum: 1000}}\n").stdout)

    broken, fine = split(10_400, 9_600), split(10_030, 9_970)
    assert broken["srm_p_value"] < 0.001 and broken["srm_failed"], broken
    assert fine["srm_p_value"] > 0.001 and not fine["srm_failed"], fine
    close(broken["srm_p_value"], check_srm([10_400, 9_600], [0.5, 0.5]), "SRM")
    text = subprocess.run([str(BINARY), "experiment", "analyze", str(workdir / "split.yaml")], capture_output=True, text=True)
    assert text.returncode == 0 and text.stdout.startswith("Sample ratio check: p = ")

    bad = analyze("variants:\n  - {name: control, n: 100, sum: 10}\n  - {name: b, n: 100, sum: 120}\n")
    assert bad.returncode == 1 and "split.yaml:3: variants[1].sum: conversions between 0 and n" in bad.stderr, bad.stderr
    bad = analyze("kind: median\nvariants: []\n")
    assert bad.returncode == 1 and "split.yaml:1: kind: one of proportion, mean, ratio" in bad.stderr, bad.stderr
