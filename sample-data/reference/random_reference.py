"""Reference values for tests/unit/sample-data.test.ts (the samplers in sample-data/random.ts).

Run from the project root:  python3 sample-data/reference/random_reference.py > sample-data/reference/reference-values.json

- splitmix32 and xoshiro128** re-implemented here from their published C reference code
  (https://prng.di.unimi.it/xoshiro128starstar.c, Blackman & Vigna 2021), independently of the TypeScript;
- ln Gamma from scipy.special.gammaln;
- Poisson, binomial and normal bin probabilities from scipy.stats, for chi-square goodness-of-fit tests;
- chi-square critical values at a 1e-6 tail from scipy.stats.chi2.
Needs numpy and scipy (tested with numpy 2.4, scipy 1.17).
"""
import json

import numpy as np
import scipy
from scipy import special, stats

M32 = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M32


def splitmix32(state):
    nxt = (state + 0x9E3779B9) & M32
    z = nxt
    z = imul(z ^ (z >> 16), 0x21F0AAFD)
    z = imul(z ^ (z >> 15), 0x735A2D97)
    z ^= z >> 15
    return z, nxt


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Xoshiro128ss:
    def __init__(self, seed, stream):
        sm = (splitmix32(seed & M32)[0] ^ imul(stream + 1, 0x85EBCA6B)) & M32
        self.s = []
        for _ in range(4):
            out, sm = splitmix32(sm)
            self.s.append(out)

    def next(self):
        s = self.s
        result = imul(rotl(imul(s[1], 5), 7), 9)
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def uniform(self):
        a = self.next() >> 5
        b = self.next() >> 6
        return (a * 67108864 + b + 0.5) / 9007199254740992.0


# The published C code (xoshiro128starstar.c, compiled with gcc -O2) prints these six outputs from state {1, 2, 3, 4};
# the Python port below must reproduce them before anything else is trusted.
C_REFERENCE_STATE = [1, 2, 3, 4]
C_REFERENCE_OUTPUT = [11520, 0, 5927040, 70819200, 2031721883, 1637235492]


def check_against_c():
    g = Xoshiro128ss(0, 0)
    g.s = list(C_REFERENCE_STATE)
    got = [g.next() for _ in range(len(C_REFERENCE_OUTPUT))]
    assert got == C_REFERENCE_OUTPUT, got


def streams():
    out = []
    for seed, stream in [(42, 0), (20260302, 5), (0, 0), (4294967295, 12)]:
        g = Xoshiro128ss(seed, stream)
        words = [g.next() for _ in range(8)]
        g = Xoshiro128ss(seed, stream)
        uniforms = [g.uniform() for _ in range(4)]
        out.append({"seed": seed, "stream": stream, "uint32": words, "uniform": uniforms})
    return out


def poisson_bins(lam, lo, hi):
    """Bins: k <= lo, each k in (lo, hi), k >= hi."""
    probs = [float(stats.poisson.cdf(lo, lam))]
    probs += [float(stats.poisson.pmf(k, lam)) for k in range(lo + 1, hi)]
    probs.append(float(stats.poisson.sf(hi - 1, lam)))
    return {"lambda": lam, "lo": lo, "hi": hi, "probs": probs}


def binomial_bins(n, p, lo, hi):
    probs = [float(stats.binom.cdf(lo, n, p))]
    probs += [float(stats.binom.pmf(k, n, p)) for k in range(lo + 1, hi)]
    probs.append(float(stats.binom.sf(hi - 1, n, p)))
    return {"n": n, "p": p, "lo": lo, "hi": hi, "probs": probs}


def main():
    check_against_c()
    xs = [0.5, 1.0, 1.5, 2.0, 3.7, 6.99, 7.0, 10.0, 31.0, 100.5, 12345.25, 1e6]
    ref = {
        "generatedBy": "sample-data/reference/random_reference.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "splitmix32": [{"state": s, "output": splitmix32(s)[0]} for s in [0, 1, 42, 0x7FFFFFFF, 0xFFFFFFFF]],
        "xoshiro128ssFromState": {"state": C_REFERENCE_STATE, "uint32": C_REFERENCE_OUTPUT},
        "xoshiro128ss": streams(),
        "logGamma": [{"x": x, "value": float(special.gammaln(x))} for x in xs],
        "poisson": [poisson_bins(3.0, 0, 9), poisson_bins(30.0, 17, 45), poisson_bins(250.0, 215, 286)],
        "binomial": [binomial_bins(200, 0.06, 4, 21), binomial_bins(60, 0.8, 40, 56)],
        "normalDeciles": [float(stats.norm.ppf(q)) for q in np.arange(1, 10) / 10],
        # Upper 1e-6 critical values of chi-square for the degrees of freedom the tests use (bins - 1).
        "chi2Critical1e6": {str(df): float(stats.chi2.isf(1e-6, df)) for df in range(5, 80)},
    }
    print(json.dumps(ref, indent=2))


if __name__ == "__main__":
    main()
