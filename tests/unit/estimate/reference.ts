/** Reference values computed by tests/fixtures/estimate/reference.py (numpy + scipy); see that script. */
import fs from "node:fs";
import path from "node:path";

interface Reference {
  rates: { x: number; n: number; a: number; b: number; mean: number; lo90: number; hi90: number }[];
  eb: {
    campaigns: { x: number; n: number }[];
    a: number;
    b: number;
    logLik: number;
    shrunk: { mean: number; lo90: number; hi90: number }[];
    moments: { mean: number; concentration: number };
  };
  dispersion: { days: { n: number; y: number }[]; phi: number; pValue: number; r: number };
  discrete: {
    betaBinomial: { n: number; a: number; b: number; pmf: number[]; quantiles: Record<string, number>; rps: { y: number; value: number } };
    negbin: { r: number; mean: number; cdf: number[]; quantiles: Record<string, number>; rps: { y: number; value: number } };
    poisson: { lambda: number; quantiles: Record<string, number> };
    bigBinomial: { n: number; p: number; quantiles: Record<string, number> };
  };
  drift: {
    lnGamma: { x: number; value: number }[];
    betaBinomial: { n: number; a: number; b: number; pmf: number[] };
    negbin: { r: number; mean: number; pmf: number[] };
    filter: { days: { n: number; y: number }[]; grid: { delta: number; s2: number; logScore: number; a: number; b: number }[] };
  };
  severity: {
    days: { conversions: number; revenue: number }[];
    mean: number;
    mu: number;
    sigma: number;
    orders: number[];
    orderMu: number;
    orderSigma: number;
  };
}

export const reference = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, "../../fixtures/estimate/reference.json"), "utf8"),
) as Reference;
