/**
 * Real-input FFTs of power-of-two size N built on fft.js (radix-4, https://github.com/indutny/fft.js).
 *
 * A real sequence x of length N is packed as N/2 complex values z_n = x_{2n} + i x_{2n+1}; one complex FFT of
 * size N/2 and an O(N) twiddle pass give the half spectrum Y_0..Y_{N/2} (the rest follows from Y_{N-k} =
 * conj(Y_k)); the inverse runs the same steps backwards. This halves the work of a full complex transform.
 * Reference: W. H. Press et al., "Numerical Recipes", 3rd ed., section 12.3.2 (FFT of real functions).
 *
 * Layout: spectra are interleaved Float64Arrays (re_0, im_0, re_1, im_1, ...) of N/2 + 1 complex values.
 */
import FFT from "fft.js";

interface Plan {
  readonly n: number;
  readonly half: FFT;
  /** Scratch of n doubles for the packed half-size transform (reused: the engine is synchronous). */
  readonly work: Float64Array;
  /** cos(2 pi k / N) and sin(2 pi k / N), k = 0..N/2. */
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

const plans = new Map<number, Plan>();
const MAX_CACHED_PLANS = 6;

function plan(n: number): Plan {
  const cached = plans.get(n);
  if (cached) return cached;
  if (!(n >= 4) || (n & (n - 1)) !== 0) throw new RangeError(`FFT size must be a power of two >= 4, got ${n}`);
  const h = n / 2;
  const cos = new Float64Array(h + 1);
  const sin = new Float64Array(h + 1);
  for (let k = 0; k <= h; k++) {
    const a = (2 * Math.PI * k) / n;
    cos[k] = Math.cos(a);
    sin[k] = Math.sin(a);
  }
  const p: Plan = { n, half: new FFT(h), cos, sin, work: new Float64Array(n) };
  if (plans.size >= MAX_CACHED_PLANS) {
    const oldest = plans.keys().next().value;
    if (oldest !== undefined) plans.delete(oldest);
  }
  plans.set(n, p);
  return p;
}

/**
 * Forward real DFT: Y_k = sum_{j<N} x_j exp(-2 pi i j k / N), k = 0..N/2.
 *
 * @param x - real input of length N (a power of two >= 4); shorter inputs are zero-padded to `n`
 * @param n - transform size (defaults to x.length)
 * @returns the half spectrum, interleaved, length N + 2. Example: rfft(Float64Array.of(1, 0, 0, 0)) is all (1, 0).
 */
export function rfft(x: Float64Array, n: number = x.length): Float64Array {
  const p = plan(n);
  const h = n / 2;
  let input = x;
  if (x.length !== n) {
    if (x.length > n) throw new RangeError(`input of length ${x.length} does not fit an FFT of size ${n}`);
    input = new Float64Array(n);
    input.set(x);
  }
  // The real array read as N/2 interleaved complex numbers is exactly z_n = x_{2n} + i x_{2n+1}.
  const z = p.work;
  p.half.transform(z, input);
  const y = new Float64Array(n + 2);
  const { cos, sin } = p;
  for (let k = 0; k <= h; k++) {
    // Z is periodic with period N/2: index N/2 is index 0.
    const a = k === h ? 0 : 2 * k;
    const b = k === 0 ? 0 : 2 * (h - k);
    const zr = z[a] as number;
    const zi = z[a + 1] as number;
    const cr = z[b] as number;
    const ci = -(z[b + 1] as number); // conj(Z_{N/2 - k})
    // E = (Z_k + conj Z_{h-k}) / 2, O = (Z_k - conj Z_{h-k}) / (2i)
    const er = 0.5 * (zr + cr);
    const ei = 0.5 * (zi + ci);
    const or = 0.5 * (zi - ci);
    const oi = -0.5 * (zr - cr);
    // Y_k = E + W^k O with W^k = cos - i sin
    const wr = cos[k] as number;
    const wi = -(sin[k] as number);
    y[2 * k] = er + wr * or - wi * oi;
    y[2 * k + 1] = ei + wr * oi + wi * or;
  }
  return y;
}

/**
 * Inverse real DFT: x_j = (1/N) sum_k Y_k exp(2 pi i j k / N) for a Hermitian spectrum given by its half.
 *
 * @param y - half spectrum, interleaved, length N + 2 (the imaginary parts of Y_0 and Y_{N/2} are ignored)
 * @returns the real sequence of length N. Example: irfft(rfft(x)) returns x up to ~1e-16 relative.
 */
export function irfft(y: Float64Array): Float64Array {
  const n = y.length - 2;
  const p = plan(n);
  const h = n / 2;
  const zin = p.work;
  const { cos, sin } = p;
  for (let k = 0; k < h; k++) {
    const yr = y[2 * k] as number;
    const yi = y[2 * k + 1] as number;
    const cr = y[2 * (h - k)] as number;
    const ci = -(y[2 * (h - k) + 1] as number); // conj(Y_{N/2 - k})
    const er = 0.5 * (yr + cr);
    const ei = 0.5 * (yi + ci);
    const dr = 0.5 * (yr - cr);
    const di = 0.5 * (yi - ci);
    // O = D W^-k with W^-k = cos + i sin
    const wr = cos[k] as number;
    const wi = sin[k] as number;
    const or = dr * wr - di * wi;
    const oi = dr * wi + di * wr;
    // Z = E + i O
    zin[2 * k] = er - oi;
    zin[2 * k + 1] = ei + or;
  }
  const x = new Float64Array(n);
  // fft.js divides by the transform size (N/2), which is the normalisation the packed inverse needs.
  p.half.inverseTransform(x, zin);
  return x;
}
