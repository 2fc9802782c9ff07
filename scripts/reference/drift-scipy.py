#!/usr/bin/env python3
"""Reference values for src/lib/ml/drift (tests/ml/drift/scipy-reference.json).

Run: python3 scripts/reference/drift-scipy.py && npx prettier --write tests/ml/drift/scipy-reference.json
(numpy + scipy; made with scipy 1.17.1, numpy 2.4.6; prettier because `npm run lint` checks every JSON file)

Every statistic is computed with SciPy exactly as Evidently's legacy stattests call it
(evidently/legacy/calculations/stattests/*.py at evidentlyai/evidently a4aa4c2b, May 2026). pandas is not needed:
the few pandas calls Evidently makes (dropna, nunique, value_counts, concat) are spelled out below with the same
semantics. Inputs are seeded and written into the JSON, so the TypeScript test needs no Python.
"""
import json
import math
import os

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance
from scipy.stats import chisquare, ks_2samp, norm

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "ml", "drift", "scipy-reference.json")


# --- pandas semantics used by Evidently -------------------------------------------------------------------
def clean(xs):
    """column.replace([-inf, inf], nan).dropna() (data_drift.get_one_column_drift)."""
    out = []
    for x in xs:
        if x is None:
            continue
        if isinstance(x, float) and not math.isfinite(x):
            continue
        out.append(x)
    return out


def value_counts(xs):
    d = {}
    for x in xs:
        d[x] = d.get(x, 0) + 1
    return d


def unique_union(ref, cur):
    """get_unique_not_nan_values_list_from_series."""
    return list(set(ref) | set(cur))


# --- Evidently's stattests, transcribed -------------------------------------------------------------------
def get_binned_data(ref, cur, numeric, n, feel_zeroes=True):
    n_vals = len(set(ref))
    if numeric and n_vals > 20:
        combined = np.asarray(list(ref) + list(cur), dtype=float)
        bins = np.histogram_bin_edges(combined, bins="sturges")
        rp = np.histogram(np.asarray(ref, dtype=float), bins)[0] / len(ref)
        cp = np.histogram(np.asarray(cur, dtype=float), bins)[0] / len(cur)
    else:
        keys = unique_union(ref, cur)
        rd = {**dict.fromkeys(keys, 0), **value_counts(ref)}
        cd = {**dict.fromkeys(keys, 0), **value_counts(cur)}
        rp = np.array([rd[k] / len(ref) for k in keys])
        cp = np.array([cd[k] / len(cur) for k in keys])
    if feel_zeroes:
        m = min(rp[rp != 0])
        np.place(rp, rp == 0, m / 10**6 if m <= 0.0001 else 0.0001)
        m = min(cp[cp != 0])
        np.place(cp, cp == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return rp, cp


def ev_ks(ref, cur):
    r = ks_2samp(ref, cur)
    n = max(len(ref), len(cur))
    return {"statistic": float(r.statistic), "pvalue": float(r.pvalue), "method": "exact" if n <= 10000 else "asymp"}


def ev_chi(ref, cur):
    keys = unique_union(ref, cur)
    rd = {**dict.fromkeys(keys, 0), **value_counts(ref)}
    cd = {**dict.fromkeys(keys, 0), **value_counts(cur)}
    k_norm = len(cur) / len(ref)
    f_exp = [rd[k] * k_norm for k in keys]
    f_obs = [cd[k] for k in keys]
    r = chisquare(f_obs, f_exp)
    return {"statistic": float(r.statistic), "pvalue": float(r.pvalue), "dof": len(keys) - 1}


def ev_z(ref, cur):
    if len(set(ref)) == 1 and len(set(cur)) == 1 and ref[0] == cur[0]:
        return {"statistic": 0.0, "pvalue": 1.0}
    keys = sorted(unique_union(ref, cur))
    r = [0 if x == keys[0] else 1 for x in ref]
    c = [0 if x == keys[0] else 1 for x in cur]
    n1, n2 = len(r), len(c)
    p1 = float(sum(r)) / n1
    p2 = float(sum(c)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return {"statistic": float(z), "pvalue": float(2 * (1 - norm.cdf(np.abs(z))))}


def ev_wasserstein_norm(ref, cur):
    n = max(float(np.std(ref)), 0.001)
    return float(stats.wasserstein_distance(ref, cur) / n)


def ev_js(ref, cur, numeric):
    rp, cp = get_binned_data(ref, cur, numeric, 30, False)
    return float(distance.jensenshannon(rp, cp, None)), rp, cp


def ev_psi(ref, cur, numeric):
    rp, cp = get_binned_data(ref, cur, numeric, 30)
    return float(np.sum((rp - cp) * np.log(rp / cp)))


def default_test(ref, cur, numeric):
    n_values = len(set(ref) | set(cur))
    if len(ref) <= 1000:
        if numeric and n_values > 5:
            return "ks"
        return "chisquare" if n_values > 2 else "z"
    return "wasserstein" if numeric and n_values > 5 else "jensenshannon"


def counts_of(ref, cur, numeric):
    """The counts a profile would store for Evidently's bins: histogram over Sturges edges, or value counts."""
    if numeric and len(set(ref)) > 20:
        edges = np.histogram_bin_edges(np.asarray(list(ref) + list(cur), dtype=float), bins="sturges")
        rc = np.histogram(np.asarray(ref, dtype=float), edges)[0]
        cc = np.histogram(np.asarray(cur, dtype=float), edges)[0]
        return {"edges": edges.tolist(), "ref": {str(i): int(v) for i, v in enumerate(rc)},
                "cur": {str(i): int(v) for i, v in enumerate(cc)}}
    return {"ref": {str(k): v for k, v in value_counts(ref).items()}, "cur": {str(k): v for k, v in value_counts(cur).items()}}


# --- cases --------------------------------------------------------------------------------------------------
rng = np.random.default_rng(20260502)


def r4(a):
    return [float(x) + 0.0 for x in np.round(np.asarray(a, dtype=float), 4)]  # + 0.0: no -0.0 (str(-0.0) != str(0.0))


numeric_cases = {
    "normal-200-vs-150-shifted": (rng.normal(0, 1, 200), rng.normal(0.3, 1.2, 150)),
    "equal-sizes-100": (rng.normal(0, 1, 100), rng.normal(0.25, 1, 100)),
    "ties-rounded": (np.round(rng.normal(5, 2, 300)), np.round(rng.normal(5.5, 2, 240))),
    "identical": (np.arange(50) * 0.5, np.arange(50) * 0.5),
    "disjoint": (rng.uniform(0, 1, 80), rng.uniform(2, 3, 60)),
    "few-values-4": (rng.integers(0, 4, 400), rng.integers(0, 4, 300) + (rng.uniform(size=300) < 0.2)),
    "binary-numeric": (rng.integers(0, 2, 500), (rng.uniform(size=350) < 0.6).astype(int)),
    "ref-15-values": (rng.integers(0, 15, 2000), rng.integers(0, 16, 1500)),
    "exact-5000-vs-7000": (rng.normal(0, 1, 5000), rng.normal(0.05, 1, 7000)),
    "exact-10000-vs-3": (rng.normal(0, 1, 10000), np.array([0.1, 0.5, 2.0])),
    "asymp-12000-vs-300": (rng.normal(0, 1, 12000), rng.normal(0.1, 1, 300)),
    "asymp-10001-vs-50": (rng.normal(0, 1, 10001), rng.normal(0.4, 1, 50)),
    "asymp-10001-vs-20-same": (rng.normal(0, 1, 10001), rng.normal(0, 1, 20)),
    "asymp-10001-vs-4000": (rng.normal(0, 1, 10001), rng.normal(0.02, 1, 4000)),
    "large-ref-lognormal-shift": (rng.lognormal(0, 1, 3000), rng.lognormal(0.5, 1, 2000)),
    "nan-and-inf-dropped": (
        np.concatenate([rng.normal(0, 1, 60), [np.nan, np.inf, -np.inf]]),
        np.concatenate([rng.normal(1, 1, 40), [np.nan]]),
    ),
}
categorical_cases = {
    "missing-and-new-category": (
        list(rng.choice(["a", "b", "c", "d"], 600, p=[0.4, 0.3, 0.2, 0.1])),
        list(rng.choice(["a", "b", "c", "e"], 400, p=[0.3, 0.3, 0.3, 0.1])),
    ),
    "same-distribution": (
        list(rng.choice(["red", "green", "blue"], 800, p=[0.5, 0.3, 0.2])),
        list(rng.choice(["red", "green", "blue"], 500, p=[0.5, 0.3, 0.2])),
    ),
    "binary-strings": (list(rng.choice(["no", "yes"], 900, p=[0.7, 0.3])), list(rng.choice(["no", "yes"], 700, p=[0.6, 0.4]))),
    "binary-one-side-constant": (["x"] * 30 + ["y"] * 10, ["x"] * 25),
    "constant-same": (["k"] * 40, ["k"] * 12),
    "large-ref-categorical": (
        list(rng.choice([f"c{i}" for i in range(12)], 4000)),
        list(rng.choice([f"c{i}" for i in range(12)], 2500, p=np.r_[np.full(11, 0.08), 0.12])),
    ),
    "many-categories-25": (list(rng.choice([f"v{i:02d}" for i in range(25)], 700)), list(rng.choice([f"v{i:02d}" for i in range(24)], 300))),
}

cases = []
for name, (a, b) in numeric_cases.items():
    a = r4(a) if a.dtype.kind == "f" else [int(x) for x in a]
    b = r4(b) if b.dtype.kind == "f" else [int(x) for x in b]
    # JSON has no NaN/Infinity: they travel as strings and the test maps them back.
    enc = lambda xs: [x if (isinstance(x, int) or math.isfinite(x)) else str(x) for x in xs]
    ref, cur = clean(a), clean(b)
    ref = [float(x) for x in ref]
    cur = [float(x) for x in cur]
    js, rp, cp = ev_js(ref, cur, True)
    c = {
        "name": name, "kind": "numeric", "reference": enc(a), "current": enc(b),
        "ks": ev_ks(ref, cur),
        "wasserstein": float(stats.wasserstein_distance(ref, cur)),
        "wassersteinNorm": ev_wasserstein_norm(ref, cur),
        "jensenshannon": js,
        "jensenshannonBase2": float(distance.jensenshannon(rp, cp, 2)),
        "psi": ev_psi(ref, cur, True),
        "chisquare": ev_chi(ref, cur),
        "defaultTest": default_test(ref, cur, True),
        "counts": counts_of(ref, cur, True),
    }
    if len(set(ref) | set(cur)) <= 2:
        c["z"] = ev_z(ref, cur)
    cases.append(c)
for name, (a, b) in categorical_cases.items():
    a, b = [str(x) for x in a], [str(x) for x in b]
    js, rp, cp = ev_js(a, b, False)
    c = {
        "name": name, "kind": "categorical", "reference": a, "current": b,
        "jensenshannon": js,
        "jensenshannonBase2": float(distance.jensenshannon(rp, cp, 2)),
        "psi": ev_psi(a, b, False),
        "chisquare": ev_chi(a, b),
        "z": ev_z(a, b),
        "defaultTest": default_test(a, b, False),
        "counts": counts_of(a, b, False),
    }
    cases.append(c)

# Weighted Wasserstein (histogram centres / sketch points with weights).
weighted = []
for i in range(4):
    u = rng.normal(0, 1, 30 + i)
    v = rng.normal(0.5, 2, 20 + 3 * i)
    uw = rng.uniform(0, 5, u.size)
    vw = rng.integers(0, 4, v.size).astype(float)
    vw[0] = 1.0
    u, v, uw, vw = r4(u), r4(v), r4(uw), r4(vw)
    weighted.append({"u": u, "v": v, "uWeights": uw, "vWeights": vw, "value": float(stats.wasserstein_distance(u, v, uw, vw))})

# Direct distribution checks: kstwo.sf over every branch of _kolmogn, the chi-square sf, the normal cdf.
kstwo = []
for n in [1, 2, 5, 20, 60, 140, 141, 300, 1000, 5000, 100001, 300000]:
    for x in [0.3 / n, 0.8 / n, 1.0 / n, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.95, 1 - 0.5 / n]:
        if 0 < x < 1:
            kstwo.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
chi2 = []
for df in [1, 2, 3, 7, 24, 99, 1000]:
    for x in [0.0, 0.01, 0.5, 1.0, df * 0.5, df * 1.0, df + 3 * math.sqrt(2 * df), df * 3.0 + 50, 700.0, 1500.0]:
        chi2.append({"df": df, "x": x, "sf": float(stats.chi2.sf(x, df))})
ndtr = [{"x": x, "cdf": float(norm.cdf(x))} for x in [-30.0, -8.0, -3.0, -1.0, -0.5, -0.1, 0.0, 0.3, 0.7072, 1.5, 4.0, 9.0]]
chisq_direct = []
for obs, exp in [([10, 20, 30], [20, 20, 20]), ([5, 0, 5], [3, 4, 3]), ([1, 1], [1, 1]), ([90, 5, 3, 2], [25, 25, 25, 25])]:
    r = chisquare(obs, exp)
    chisq_direct.append({"observed": obs, "expected": exp, "statistic": float(r.statistic), "pvalue": float(r.pvalue), "dof": len(obs) - 1})
js_direct = []
for p, q in [([1, 0, 0], [0, 1, 0]), ([0.2, 0.3, 0.5], [0.25, 0.25, 0.5]), ([3, 1], [1, 3]), ([1, 2, 3, 4], [1, 2, 3, 4])]:
    js_direct.append({"p": p, "q": q, "base2": float(distance.jensenshannon(p, q, 2)), "baseE": float(distance.jensenshannon(p, q))})

doc = {
    "generator": "scripts/reference/drift-scipy.py",
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "evidently": "evidentlyai/evidently a4aa4c2b37fe7a4344cc5031f566deccf3d69e4f (legacy stattests)",
    "cases": cases,
    "weightedWasserstein": weighted,
    "kstwoSf": kstwo,
    "chi2Sf": chi2,
    "normalCdf": ndtr,
    "chiSquare": chisq_direct,
    "jensenShannon": js_direct,
}
def finite_json(o):
    """JSON has no NaN/Infinity: non-finite floats travel as the strings "nan", "inf", "-inf"."""
    if isinstance(o, float) and not math.isfinite(o):
        return "nan" if math.isnan(o) else ("inf" if o > 0 else "-inf")
    if isinstance(o, dict):
        return {k: finite_json(v) for k, v in o.items()}
    if isinstance(o, list):
        return [finite_json(v) for v in o]
    return o


with open(OUT, "w") as f:
    json.dump(finite_json(doc), f, separators=(",", ":"), allow_nan=False)
print(f"wrote {OUT}: {len(cases)} cases, {os.path.getsize(OUT)} bytes")
