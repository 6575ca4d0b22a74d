"""numpy counterpart of `npm run bench:engine`: the same lattice cases, grid sizes and discretisation.

Reads a JSON list of cases on stdin (id, frequency, severity, step, n, pool, c2, runs) and prints a JSON object
{id: {"fft_ms": median, "whole_ms": median}} on stdout. "fft" times the transform, the pgf and the inverse only;
"whole" adds the severity discretisation (rounding, truncated at 1e-13 tail mass) and the risk figures.
Uses scipy.special.ndtr for the lognormal cdf when scipy is importable, else math.erfc elementwise.
"""
import json
import math
import statistics
import sys
import time

import numpy as np

try:
    from scipy.special import ndtr
except ImportError:  # pragma: no cover - numpy-only machines
    _erfc = np.vectorize(math.erfc)

    def ndtr(z):
        return 0.5 * _erfc(-np.asarray(z) / math.sqrt(2.0))


def lognormal_lattice(mu, sigma, h):
    # Truncation point: survival 1e-13 (z = 7.3487...), as in the engine.
    top = math.exp(mu + sigma * 7.348796)
    k_max = int(math.ceil(top / h - 0.5))
    edges = (np.arange(k_max + 1) + 0.5) * h
    z = (np.log(edges) - mu) / sigma
    cdf = ndtr(z)
    sf = ndtr(-z)
    upper = cdf > 0.5
    f = np.empty(k_max + 1)
    f[0] = cdf[0]
    lo_c, hi_c = cdf[:-1], cdf[1:]
    lo_s, hi_s = sf[:-1], sf[1:]
    f[1:] = np.where(upper[:-1], lo_s - hi_s, hi_c - lo_c)
    f = np.maximum(f, 0.0)
    return f / f.sum()


def pgf(freq, phi):
    kind = freq["kind"]
    if kind == "poisson":
        return np.exp(freq["lambda"] * (phi - 1.0))
    if kind == "negbin":
        r, m = freq["r"], freq["mean"]
        return (1.0 + (m / r) * (1.0 - phi)) ** (-r)
    n, p = freq["n"], freq["p"]
    return (1.0 - p + p * phi) ** n


def effective_frequency(case):
    freq = dict(case["frequency"])
    k = case.get("pool", 1)
    if k > 1 and case.get("c2", 0) > 0:  # Poisson with a common Gamma shock -> NB(1/c2, k lambda)
        return {"kind": "negbin", "r": 1.0 / case["c2"], "mean": k * freq["lambda"]}
    if k > 1:
        return {"kind": "poisson", "lambda": k * freq["lambda"]}
    return freq


def fft_part(f, n, freq):
    phi = np.fft.rfft(f, n)
    return np.fft.irfft(pgf(freq, phi), n)


def figures(g, h):
    g = np.maximum(g, 0.0)
    g /= g.sum()
    x = np.arange(g.size) * h
    mean = float(np.dot(x, g))
    sd = math.sqrt(float(np.dot((x - mean) ** 2, g)))
    cdf = np.cumsum(g)
    q = [float(x[np.searchsorted(cdf, p - 1e-12)]) for p in (0.01, 0.05, 0.5, 0.99)]
    return mean, sd, q


def timed(fn, runs):
    fn()  # warm-up
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1e3)
    return statistics.median(out)


def main():
    cases = json.load(sys.stdin)
    result = {}
    for case in cases:
        sev, h, n, runs = case["severity"], case["step"], case["n"], case["runs"]
        freq = effective_frequency(case)
        f = lognormal_lattice(sev["mu"], sev["sigma"], h)
        fft_ms = timed(lambda: fft_part(f, n, freq), runs)
        whole_ms = timed(lambda: figures(fft_part(lognormal_lattice(sev["mu"], sev["sigma"], h), n, freq), h), runs)
        result[case["id"]] = {"fft_ms": fft_ms, "whole_ms": whole_ms}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
