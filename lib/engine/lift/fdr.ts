/**
 * Many campaigns at once: how many flags chance explains, and which survive a false discovery rate.
 */

/** The Benjamini-Hochberg step-up procedure's outcome. */
export interface BhResult {
  /** Per input, in input order: rejected (a discovery) at the level; false for a null p-value. */
  rejected: boolean[];
  /** Number of p-values tested (non-null). */
  tested: number;
  /** Number rejected. */
  discoveries: number;
  /** The largest p-value rejected (k q / m for the step-up's k), or null when none is. */
  threshold: number | null;
}

/**
 * Benjamini-Hochberg at false discovery rate q: with the m non-null p-values sorted, p_(1) <= ... <= p_(m), find the
 * largest k with p_(k) <= k q / m and reject the k smallest. Controls E[false discoveries / discoveries] <= q m0 / m
 * for independent (or positively dependent, PRDS) p-values, and for super-uniform ones (discrete counts' p-values,
 * P(p <= t) <= t under the null) as well.
 * Edge cases: null entries are not tested (neither rejected nor counted in m); no p-values gives no discovery.
 * @param pValues - in [0, 1], or null. @param q - in (0, 1).
 * @example benjaminiHochberg([0.001, 0.02, 0.03, 0.5], 0.1).rejected // [true, true, true, false]
 * Reference: Y. Benjamini, Y. Hochberg (1995), "Controlling the false discovery rate", JRSS B 57, 289-300;
 *   Benjamini & Yekutieli (2001), Ann. Statist. 29 (positive dependence).
 */
export function benjaminiHochberg(pValues: readonly (number | null)[], q: number): BhResult {
  const idx: number[] = [];
  pValues.forEach((p, i) => {
    if (p !== null && Number.isFinite(p)) idx.push(i);
  });
  const m = idx.length;
  idx.sort((i, j) => (pValues[i] as number) - (pValues[j] as number));
  let k = 0;
  for (let r = m; r >= 1; r--) {
    if ((pValues[idx[r - 1] as number] as number) <= (r * q) / m) {
      k = r;
      break;
    }
  }
  const rejected = pValues.map(() => false);
  for (let r = 0; r < k; r++) rejected[idx[r] as number] = true;
  return { rejected, tested: m, discoveries: k, threshold: k > 0 ? (pValues[idx[k - 1] as number] as number) : null };
}
