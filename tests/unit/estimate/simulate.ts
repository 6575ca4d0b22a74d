/**
 * Seeded samplers for simulating campaign data in the estimation tests (inversion and Marsaglia-Tsang; exact laws,
 * no approximations, so a test's tolerance only has to cover sampling noise).
 */
import type { Random } from "@/lib/engine/estimate/rng";
import type { DayRow } from "@/lib/engine/estimate/types";

/** Standard normal by Box-Muller. */
export function normal(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, scale 1) by Marsaglia & Tsang (2000), with the shape < 1 boost. */
export function gamma(random: Random, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * Math.pow(random() || 1e-300, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Poisson(lambda) by inversion from the mode region (sum of pmf); exact for the lambdas used here (< 1e4). */
export function poisson(random: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 500) {
    // Split into independent halves so exp(-lambda) never underflows.
    return poisson(random, lambda / 2) + poisson(random, lambda / 2);
  }
  const u = random();
  let k = 0;
  let p = Math.exp(-lambda);
  let F = p;
  while (u > F && k < 100000) {
    k++;
    p *= lambda / k;
    F += p;
  }
  return k;
}

/** Binomial(n, p) by inversion; large n split into independent halves so (1 - p)^n never underflows. */
export function binomial(random: Random, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (-n * Math.log1p(-p) > 500) {
    const half = Math.floor(n / 2);
    return binomial(random, half, p) + binomial(random, n - half, p);
  }
  const u = random();
  let k = 0;
  let pk = Math.pow(1 - p, n);
  let F = pk;
  const odds = p / (1 - p);
  while (u > F && k < n) {
    pk *= ((n - k) / (k + 1)) * odds;
    k++;
    F += pk;
  }
  return k;
}

/** Negative binomial with size r and mean m (Gamma-Poisson). */
export function negbin(random: Random, r: number, m: number): number {
  return poisson(random, (m * gamma(random, r)) / r);
}

/** Lognormal(mu, sigma). */
export function lognormal(random: Random, mu: number, sigma: number): number {
  return Math.exp(mu + sigma * normal(random));
}

/** ISO date of day `i` after 2025-01-01. */
export function isoDay(i: number): string {
  return new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10);
}

/** Simulated daily rows: clicks uniform in [clicksLo, clicksHi], conversions from `draw(clicks)`. */
export function simulateDays(
  random: Random,
  days: number,
  clicksLo: number,
  clicksHi: number,
  draw: (clicks: number, t: number) => number,
  cpc = 0.5,
): DayRow[] {
  const rows: DayRow[] = [];
  for (let t = 0; t < days; t++) {
    const clicks = clicksLo + Math.floor(random() * (clicksHi - clicksLo + 1));
    rows.push({
      date: isoDay(t),
      impressions: clicks * 40,
      clicks,
      conversions: draw(clicks, t),
      spend: clicks * cpc,
      revenue: null,
    });
  }
  return rows;
}
