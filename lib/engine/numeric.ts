/**
 * Small numerical helpers shared by the engine: compensated summation and power-of-two sizes.
 * Pure functions on Float64Array; no allocation in the hot paths.
 */

/**
 * Neumaier (improved Kahan-Babuska) compensated sum of `values[from..to)`.
 *
 * s = sum_i v_i with a running correction c for the low-order bits lost at each addition, so the error is
 * O(eps) independent of the length instead of O(n eps). Used wherever mass is added over a long lattice.
 *
 * @param values - any finite numbers
 * @param from - first index (default 0)
 * @param to - one past the last index (default values.length)
 * @returns the sum; 0 for an empty range. Example: neumaierSum([1, 1e100, 1, -1e100]) returns 2 (naive: 0).
 * @see A. Neumaier (1974), ZAMM 54, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher Summen".
 */
export function neumaierSum(values: ArrayLike<number>, from = 0, to: number = values.length): number {
  const acc = new NeumaierAccumulator();
  for (let i = from; i < to; i++) acc.add(values[i] as number);
  return acc.value;
}

/**
 * Running compensated accumulator for sums built one term at a time: the project's one compensated sum (`neumaierSum`,
 * the tally of an import and the cumulative column of an export use it).
 * Example: `const acc = new NeumaierAccumulator(); acc.add(0.1); acc.add(0.2); acc.value // ~0.3`.
 */
export class NeumaierAccumulator {
  private s = 0;
  private c = 0;
  add(v: number): void {
    const t = this.s + v;
    // The branch keeps whichever operand lost bits; this is the Neumaier refinement of Kahan's scheme.
    if (Math.abs(this.s) >= Math.abs(v)) this.c += this.s - t + v;
    else this.c += v - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}

/**
 * Smallest power of two >= n (and >= 2, the smallest FFT size).
 *
 * @param n - a positive finite number
 * @returns 2^ceil(log2(max(n, 2))). Example: nextPow2(70000) returns 131072.
 */
export function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/**
 * Smallest FFT size >= n that fft.ts transforms: a power of two, or three times one from 24 up (a grid a quarter
 * smaller than the power of two above it whenever that one holds). Example: nextFftSize(5000) returns 6144.
 */
export function nextFftSize(n: number): number {
  const p = nextPow2(n);
  return p >= 32 && 0.75 * p >= n ? 0.75 * p : p;
}
