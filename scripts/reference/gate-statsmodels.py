#!/usr/bin/env python3
"""Reference values for src/lib/ml/monitor/gate*.ts (tests/ml/monitor/gate-reference.json).

Run: python3 scripts/reference/gate-statsmodels.py && npx prettier --write tests/ml/monitor/gate-reference.json
(numpy + scipy only; made with scipy 1.17.1, numpy 2.4.6; prettier because `npm run lint` checks every JSON file)

McNemar. statsmodels is not installed where this was written, so `mcnemar` below is
statsmodels.stats.contingency_tables.mcnemar (statsmodels/statsmodels 82c59e378b, Aug 2026) transcribed line for
line; the only SciPy calls it makes, stats.binom.cdf and stats.chi2.sf, are made here exactly as there:

    n1, n2 = table[0, 1], table[1, 0]
    if exact:
        statistic = np.minimum(n1, n2)
        # binom is symmetric with p=0.5
        # SciPy 1.7+ requires int arguments
        int_sum = int(n1 + n2)
        if int_sum != (n1 + n2):
            raise ValueError("exact can only be used with tables containing integers.")
        pvalue = stats.binom.cdf(statistic, int_sum, 0.5) * 2
        pvalue = np.minimum(pvalue, 1)  # limit to 1 if n1==n2
    else:
        corr = int(correction)  # convert bool to 0 or 1
        statistic = (np.abs(n1 - n2) - corr) ** 2 / (1.0 * (n1 + n2))
        df = 1
        pvalue = stats.chi2.sf(statistic, df)

The exact p-value is also checked here against scipy.stats.binomtest(min, b + c, 0.5).pvalue (two-sided), an
independent implementation, before anything is written.

Paired bootstrap. SciPy's bootstrap draws its indices from NumPy's generator, which the TypeScript cannot share,
so the resampling is reproduced instead: mulberry32 (src/lib/ml/random.ts) transcribed in 32-bit integer
arithmetic, resample by resample and row by row index = floor(u * n). The metrics are computed with NumPy from
their definitions, and the percentile interval is then taken by scipy.stats.bootstrap itself, handed that
distribution through `bootstrap_result` with n_resamples=0 and method='percentile' (as its docs show for reusing a
distribution), and cross-checked against np.percentile.
"""
import json
import math
import os

import numpy as np
import scipy
from scipy import stats

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "ml", "monitor", "gate-reference.json")


# --- statsmodels.stats.contingency_tables.mcnemar, transcribed (see the docstring) ------------------------------
def mcnemar(b, c, exact=True, correction=True):
    table = np.asarray([[0, b], [c, 0]], dtype=np.float64)
    n1, n2 = table[0, 1], table[1, 0]
    if exact:
        statistic = np.minimum(n1, n2)
        int_sum = int(n1 + n2)
        if int_sum != (n1 + n2):
            raise ValueError("exact can only be used with tables containing integers.")
        pvalue = stats.binom.cdf(statistic, int_sum, 0.5) * 2
        pvalue = np.minimum(pvalue, 1)
    else:
        corr = int(correction)
        statistic = (np.abs(n1 - n2) - corr) ** 2 / (1.0 * (n1 + n2))
        df = 1
        pvalue = stats.chi2.sf(statistic, df)
    return float(statistic), float(pvalue)


MCNEMAR_CASES = [
    # (b, c, exact, correction)
    (10, 2, True, True),
    (2, 10, True, True),
    (0, 0, True, True),
    (5, 5, True, True),
    (0, 7, True, True),
    (1, 23, True, True),
    (12, 12, True, True),
    (3, 21, True, True),
    (30, 12, True, True),
    (30, 12, False, True),
    (30, 12, False, False),
    (25, 0, False, True),
    (13, 12, False, True),
    (15, 15, False, True),
    (100, 60, True, True),
    (100, 60, False, True),
    (1000, 900, True, True),
    (1000, 900, False, True),
    (500, 0, True, True),
    (1200, 0, True, True),
    (400, 350, True, True),
    (20000, 19500, True, True),
    (100000, 99000, False, True),
    (100000, 99000, False, False),
    (3000, 1000, False, True),
]


def mcnemar_cases():
    out = []
    for b, c, exact, correction in MCNEMAR_CASES:
        statistic, pvalue = mcnemar(b, c, exact, correction)
        if exact and b + c > 0:
            other = stats.binomtest(min(b, c), b + c, 0.5).pvalue
            assert math.isclose(pvalue, min(other, 1.0), rel_tol=1e-9, abs_tol=0), (b, c, pvalue, other)
        out.append(
            {"b": b, "c": c, "exact": exact, "correction": correction, "statistic": statistic, "pvalue": pvalue}
        )
    return out


def mcnemar_rows():
    """Paired correctness flags; b and c counted as the gate counts them, the test chosen by its rule (b + c < 25)."""
    rng = np.random.default_rng(13)
    out = []
    for n, p0, p1 in [(40, 0.7, 0.75), (300, 0.8, 0.86), (2000, 0.9, 0.9)]:
        champ = rng.random(n) < p0
        chal = rng.random(n) < p1
        b = int(np.sum(champ & ~chal))
        c = int(np.sum(chal & ~champ))
        exact = b + c < 25
        statistic, pvalue = mcnemar(b, c, exact, True)
        out.append(
            {
                "championCorrect": champ.astype(int).tolist(),
                "challengerCorrect": chal.astype(int).tolist(),
                "b": b,
                "c": c,
                "exact": exact,
                "statistic": statistic,
                "pvalue": pvalue,
            }
        )
    return out


# --- mulberry32, as src/lib/ml/random.ts --------------------------------------------------------------------
def mulberry32(seed):
    state = seed & 0xFFFFFFFF

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def rng():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = imul(state ^ (state >> 15), 1 | state)
        t = ((t + imul(t ^ (t >> 7), 61 | t)) & 0xFFFFFFFF) ^ t
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return rng


def bootstrap_indices(n, resamples, seed):
    rng = mulberry32(seed)
    return np.array([[math.floor(rng() * n) for _ in range(n)] for _ in range(resamples)], dtype=np.int64)


# --- metrics from their definitions (scikit-learn's) ---------------------------------------------------------
def accuracy(y, p):
    return float(np.mean(y == p))


def macro_f1(y, p, labels):
    f1s = []
    for c in labels:
        tp = np.sum((p == c) & (y == c))
        d = np.sum(p == c) + np.sum(y == c)
        f1s.append(0.0 if d == 0 else 2 * tp / d)
    return float(np.mean(f1s))


def mae(y, p):
    return float(np.mean(np.abs(y - p)))


def rmse(y, p):
    return float(np.sqrt(np.mean((y - p) ** 2)))


def bootstrap_case(name, metric, y, p0, p1, resamples, confidence, seed, classes=None):
    n = len(y)
    if metric == "macroF1":
        seen = set(y.tolist()) | set(p0.tolist()) | set(p1.tolist())
        labels = list(range(classes)) if classes else sorted(seen)
        score = lambda yy, pp: macro_f1(yy, pp, labels)  # noqa: E731
    else:
        score = {"accuracy": accuracy, "mae": mae, "rmse": rmse}[metric]
    sign = -1.0 if metric in ("mae", "rmse") else 1.0

    def diff(idx):
        return sign * (score(y[idx], p1[idx]) - score(y[idx], p0[idx]))

    idx = bootstrap_indices(n, resamples, seed)
    dist = np.array([diff(row) for row in idx])

    # SciPy's percentile interval from this distribution: bootstrap_result + n_resamples=0 reuses it as is.
    def statistic(*_args, **_kwargs):
        raise AssertionError("with n_resamples=0 and method='percentile' SciPy must not resample")

    prior = stats._resampling.BootstrapResult(
        confidence_interval=None, bootstrap_distribution=dist, standard_error=None
    )
    res = stats.bootstrap(
        (y.astype(float), p0.astype(float), p1.astype(float)),
        statistic,
        paired=True,
        n_resamples=0,
        bootstrap_result=prior,
        method="percentile",
        confidence_level=confidence,
        vectorized=True,
    )
    assert np.array_equal(res.bootstrap_distribution, dist)
    lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    alpha = (1 - confidence) / 2
    np_lo, np_hi = np.percentile(dist, [alpha * 100, (1 - alpha) * 100])
    assert math.isclose(lo, np_lo, rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(hi, np_hi, rel_tol=1e-12, abs_tol=1e-15)
    all_rows = np.arange(n)
    case = {
        "name": name,
        "metric": metric,
        "yTrue": y.tolist(),
        "champion": p0.tolist(),
        "challenger": p1.tolist(),
        "resamples": resamples,
        "confidence": confidence,
        "seed": seed,
        "championScore": score(y[all_rows], p0[all_rows]),
        "challengerScore": score(y[all_rows], p1[all_rows]),
        "difference": diff(all_rows),
        "interval": [lo, hi],
        "shareBetter": float(np.mean(dist > 0)),
        "firstIndices": idx[0, :10].tolist(),
    }
    if classes:
        case["classes"] = classes
    return case


def bootstrap_cases():
    rng = np.random.default_rng(2026)
    cases = []
    # Labels with a class the challenger never predicts and one only it predicts.
    n = 60
    y = rng.integers(0, 3, n)
    p0 = np.where(rng.random(n) < 0.7, y, rng.integers(0, 3, n))
    p1 = np.where(rng.random(n) < 0.8, y, rng.integers(0, 4, n))
    cases.append(bootstrap_case("accuracy-60", "accuracy", y, p0, p1, 500, 0.95, 7))
    cases.append(bootstrap_case("macroF1-60", "macroF1", y, p0, p1, 500, 0.95, 7))
    cases.append(bootstrap_case("macroF1-60-classes5", "macroF1", y, p0, p1, 300, 0.9, 11, classes=5))
    n = 80
    y = rng.normal(10, 3, n)
    p0 = y + rng.normal(0, 1.5, n)
    p1 = y + rng.normal(0.2, 1.2, n)
    cases.append(bootstrap_case("mae-80", "mae", y, p0, p1, 400, 0.95, 3))
    cases.append(bootstrap_case("rmse-80", "rmse", y, p0, p1, 400, 0.99, 4294967295))
    return cases


def main():
    data = {
        "generator": "scripts/reference/gate-statsmodels.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "statsmodels": "mcnemar transcribed from statsmodels/statsmodels 82c59e378b (not installed)",
        "mcnemar": mcnemar_cases(),
        "mcnemarRows": mcnemar_rows(),
        "bootstrap": bootstrap_cases(),
    }
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
