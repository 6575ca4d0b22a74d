/**
 * Real-input FFTs of size N a power of two, or three times one, built on fft.js (radix-4,
 * https://github.com/indutny/fft.js); a size 3 * 2^k transform is three fft.js transforms of 2^k points joined by
 * one radix-3 pass (decimation in time), so a grid need not be rounded up to the next power of two.
 *
 * A real sequence x of length N is packed as N/2 complex values z_n = x_{2n} + i x_{2n+1}; one complex FFT of
 * size N/2 and an O(N) twiddle pass give the half spectrum Y_0..Y_{N/2} (the rest follows from Y_{N-k} =
 * conj(Y_k)); the inverse runs the same steps backwards. This halves the work of a full complex transform.
 * Reference: W. H. Press et al., "Numerical Recipes", 3rd ed., section 12.3.2 (FFT of real functions).
 *
 * Layout: spectra are interleaved Float64Arrays (re_0, im_0, re_1, im_1, ...) of N/2 + 1 complex values.
 */
import FFT from "fft.js";
import { Lru } from "./lru";

interface Plan {
  readonly n: number;
  /** The forward complex DFT of N/2 points (interleaved, out and input distinct). */
  readonly transform: (out: Float64Array, input: Float64Array) => void;
  /** Scratch of n doubles for the packed half-size transform (reused: the engine is synchronous). */
  readonly work: Float64Array;
  /** Scratch of n doubles for a shorter input zero-padded to n (reused: a lattice's severity is short). */
  readonly padded: Float64Array;
  /** Scratch of n + 2 doubles for one spectrum at a time (see spectrumScratch), made on first use. */
  spectrum: Float64Array | null;
  /** cos(2 pi k / N) and sin(2 pi k / N), k = 0..N/2. */
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

/**
 * Plans kept: one per size, and an analysis's lattices use about nine sizes (2^12 to 2^16 and three times 2^11 to
 * 2^14); fewer than that rebuilt plans (their tables and fft.js's) over and over.
 */
const MAX_CACHED_PLANS = 12;
const plans = new Lru<number, Plan>(MAX_CACHED_PLANS);

function plan(n: number): Plan {
  return plans.getOrCompute(n, () => makePlan(n));
}

/** Whether n is a power of two. */
const isPow2 = (n: number): boolean => (n & (n - 1)) === 0;

function makePlan(n: number): Plan {
  const threeTimes = n >= 24 && n % 3 === 0 && isPow2(n / 3);
  if (!(n >= 4) || !(isPow2(n) || threeTimes)) throw new RangeError(`FFT size must be a power of two >= 4 or three times one >= 24, got ${n}`);
  const h = n / 2;
  const cos = new Float64Array(h + 1);
  const sin = new Float64Array(h + 1);
  for (let k = 0; k <= h; k++) {
    const a = (2 * Math.PI * k) / n;
    cos[k] = Math.cos(a);
    sin[k] = Math.sin(a);
  }
  return { n, transform: threeTimes ? radix3Transform(h) : pow2Transform(h), cos, sin, work: new Float64Array(n), padded: new Float64Array(n), spectrum: null };
}

function pow2Transform(size: number): Plan["transform"] {
  const fft = new FFT(size);
  return (out, input) => fft.transform(out, input);
}

/**
 * The forward complex DFT of size = 3 m points (m a power of two >= 4), decimation in time: with A_s the DFT of the
 * m points z_(3j+s) (s = 0, 1, 2; fft.js), t_s = W^(s q) A_s[q] and W = e^(-2 pi i / size),
 *   Z[q] = A_0 + t_1 + t_2,   Z[q + m] = A_0 + w t_1 + w^2 t_2,   Z[q + 2m] = A_0 + w^2 t_1 + w t_2,
 * w = e^(-2 pi i / 3) = -1/2 - i sqrt(3)/2, for q < m.
 * Reference: C. Van Loan, "Computational Frameworks for the Fast Fourier Transform" (SIAM, 1992), section 2.3.
 */
function radix3Transform(size: number): Plan["transform"] {
  const m = size / 3;
  const fft = new FFT(m);
  const a = [new Float64Array(2 * m), new Float64Array(2 * m), new Float64Array(2 * m)] as const;
  const b = [new Float64Array(2 * m), new Float64Array(2 * m), new Float64Array(2 * m)] as const;
  // W^q and W^(2q), q < m
  const c1 = new Float64Array(m);
  const s1 = new Float64Array(m);
  const c2 = new Float64Array(m);
  const s2 = new Float64Array(m);
  for (let q = 0; q < m; q++) {
    c1[q] = Math.cos((2 * Math.PI * q) / size);
    s1[q] = Math.sin((2 * Math.PI * q) / size);
    c2[q] = Math.cos((4 * Math.PI * q) / size);
    s2[q] = Math.sin((4 * Math.PI * q) / size);
  }
  const half3 = Math.sqrt(3) / 2;
  return (out, input) => {
    const [a0, a1, a2] = a;
    const [b0, b1, b2] = b;
    for (let j = 0, i = 0; j < 2 * m; j += 2, i += 6) {
      a0[j] = input[i] as number;
      a0[j + 1] = input[i + 1] as number;
      a1[j] = input[i + 2] as number;
      a1[j + 1] = input[i + 3] as number;
      a2[j] = input[i + 4] as number;
      a2[j + 1] = input[i + 5] as number;
    }
    fft.transform(b0, a0);
    fft.transform(b1, a1);
    fft.transform(b2, a2);
    for (let q = 0, j = 0; q < m; q++, j += 2) {
      const cq = c1[q] as number;
      const sq = s1[q] as number;
      const cq2 = c2[q] as number;
      const sq2 = s2[q] as number;
      const xr = b1[j] as number;
      const xi = b1[j + 1] as number;
      const yr = b2[j] as number;
      const yi = b2[j + 1] as number;
      // t1 = (cos - i sin) x, t2 = (cos 2 - i sin 2) y
      const t1r = cq * xr + sq * xi;
      const t1i = cq * xi - sq * xr;
      const t2r = cq2 * yr + sq2 * yi;
      const t2i = cq2 * yi - sq2 * yr;
      const sr = t1r + t2r;
      const si = t1i + t2i;
      const dr = t1r - t2r;
      const di = t1i - t2i;
      const a0r = b0[j] as number;
      const a0i = b0[j + 1] as number;
      const mr = a0r - 0.5 * sr;
      const mi = a0i - 0.5 * si;
      out[j] = a0r + sr;
      out[j + 1] = a0i + si;
      // w t1 + w^2 t2 = -s/2 - i sqrt(3)/2 d; w^2 t1 + w t2 = -s/2 + i sqrt(3)/2 d
      const k1 = j + 2 * m;
      const k2 = j + 4 * m;
      out[k1] = mr + half3 * di;
      out[k1 + 1] = mi - half3 * dr;
      out[k2] = mr - half3 * di;
      out[k2 + 1] = mi + half3 * dr;
    }
  };
}

/**
 * Forward real DFT: Y_k = sum_{j<N} x_j exp(-2 pi i j k / N), k = 0..N/2.
 *
 * @param x - real input of length N (a power of two >= 4, or three times one >= 24); shorter inputs are zero-padded
 * to `n`
 * @param n - transform size (defaults to x.length)
 * @param out - where to write the spectrum (length N + 2; a new array when absent)
 * @returns the half spectrum, interleaved, length N + 2. Example: rfft(Float64Array.of(1, 0, 0, 0)) is all (1, 0).
 */
export function rfft(x: Float64Array, n: number = x.length, out?: Float64Array): Float64Array {
  const p = plan(n);
  const h = n / 2;
  let input = x;
  if (x.length !== n) {
    if (x.length > n) throw new RangeError(`input of length ${x.length} does not fit an FFT of size ${n}`);
    input = p.padded;
    input.fill(0, x.length);
    input.set(x);
  }
  // The real array read as N/2 interleaved complex numbers is exactly z_n = x_{2n} + i x_{2n+1}.
  const z = p.work;
  p.transform(z, input);
  if (out !== undefined && out.length !== n + 2) throw new RangeError(`a spectrum of size ${n} needs ${n + 2} values, got ${out.length}`);
  const y = out ?? new Float64Array(n + 2);
  const { cos, sin } = p;
  // k = 0 and k = N/2 (Z is periodic with period N/2: both use Z_0): Y_0 = Re Z_0 + Im Z_0, Y_{N/2} = Re - Im.
  y[0] = (z[0] as number) + (z[1] as number);
  y[n] = (z[0] as number) - (z[1] as number);
  // k and N/2 - k together: with E = (Z_k + conj Z_{h-k}) / 2, O = (Z_k - conj Z_{h-k}) / (2i) and W = e^(-2 pi i k / N),
  // Y_k = E + W O and Y_{h-k} = conj(E - W O) (one read of each Z and of the twiddle for two outputs).
  const quarter = h >> 1;
  for (let k = 1; k <= quarter; k++) {
    const a = 2 * k;
    const b = 2 * (h - k);
    const zr = z[a] as number;
    const zi = z[a + 1] as number;
    const cr = z[b] as number;
    const ci = -(z[b + 1] as number); // conj(Z_{N/2 - k})
    const er = 0.5 * (zr + cr);
    const ei = 0.5 * (zi + ci);
    const or = 0.5 * (zi - ci);
    const oi = -0.5 * (zr - cr);
    const wr = cos[k] as number;
    const wi = -(sin[k] as number);
    const tr = wr * or - wi * oi;
    const ti = wr * oi + wi * or;
    y[a] = er + tr;
    y[a + 1] = ei + ti;
    // At k = N/4 both indices are the same point and the two formulas agree.
    y[b] = er - tr;
    y[b + 1] = -(ei - ti);
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
  const scale = 1 / h;
  // k = 0 uses Y_0 and Y_{N/2} (real parts): E = (Y_0 + Y_{N/2}) / 2, D = (Y_0 - Y_{N/2}) / 2, Z_0 = E + i D.
  const y0 = y[0] as number;
  const yh = y[n] as number;
  // Written swapped (re <-> im) and divided by N/2 for the forward transform below.
  zin[0] = 0.5 * (y0 - yh) * scale;
  zin[1] = 0.5 * (y0 + yh) * scale;
  // k and N/2 - k together: with E = (Y_k + conj Y_{h-k}) / 2, D = (Y_k - conj Y_{h-k}) / 2 and O = D e^(2 pi i k / N),
  // Z_k = E + i O and Z_{h-k} = conj(E) + i conj(O).
  const quarter = h >> 1;
  for (let k = 1; k <= quarter; k++) {
    const a = 2 * k;
    const b = 2 * (h - k);
    const yr = y[a] as number;
    const yi = y[a + 1] as number;
    const cr = y[b] as number;
    const ci = -(y[b + 1] as number); // conj(Y_{N/2 - k})
    const er = 0.5 * (yr + cr);
    const ei = 0.5 * (yi + ci);
    const dr = 0.5 * (yr - cr);
    const di = 0.5 * (yi - ci);
    const wr = cos[k] as number;
    const wi = sin[k] as number;
    const or = dr * wr - di * wi;
    const oi = dr * wi + di * wr;
    // Z_k = (er - oi) + i (ei + or), swapped; Z_{h-k} = (er + oi) + i (or - ei), swapped (equal at k = N/4).
    zin[a] = (ei + or) * scale;
    zin[a + 1] = (er - oi) * scale;
    zin[b] = (or - ei) * scale;
    zin[b + 1] = (er + oi) * scale;
  }
  const x = new Float64Array(n);
  // The inverse by the forward transform: ifft(Z) = swap(fft(swap(Z))) / (N/2), swap exchanging real and imaginary
  // parts. fft.js's own inverse runs the same radix-4 code with the sign flipped and a division pass, about twice
  // the time of a forward transform here.
  p.transform(x, zin);
  for (let j = 0; j < n; j += 2) {
    const re = x[j + 1] as number;
    x[j + 1] = x[j] as number;
    x[j] = re;
  }
  return x;
}

/**
 * Spectra kept by `rfftMemo`: a pooling-lab slider moving the pool size or the correlation changes the count's
 * pgf, not the order values, so the next lattice transforms the same severity on the same grid again. A spectrum of
 * 2^19 points is 4 MB; three are kept, and only for inputs seen before (an analysis transforms each campaign's
 * severity once: copying each spectrum into the memo cost it about 10%).
 */
const SPECTRUM_MEMO = 3;
/** Keys of inputs transformed once (a second transform of one of them is kept). */
const SEEN = 16;
/** Below this size a transform costs less than looking it up. */
const MIN_MEMO_N = 1 << 14;
const spectra = new Lru<string, { values: Float64Array; spectrum: Float64Array }>(SPECTRUM_MEMO);
const seen = new Lru<string, true>(SEEN);

/** FNV-1a over the bytes of x[0..end) read as 32-bit words. */
function valuesHash(x: Float64Array, end: number): number {
  const words = new Uint32Array(x.buffer, x.byteOffset, 2 * end);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ (words[i] as number), 0x01000193) >>> 0;
  return h;
}

/**
 * rfft(x, n), from an earlier call with the same values and size when it was kept (keyed by n and a hash of
 * x[0..used), then confirmed value by value; every value from `used` on must be 0). Returns an array the caller may
 * change.
 */
export function rfftMemo(x: Float64Array, n: number, used: number, out?: Float64Array): Float64Array {
  if (n < MIN_MEMO_N) return rfft(x, n, out);
  const key = `${n}:${used}:${valuesHash(x, used)}`;
  const hit = spectra.get(key);
  if (hit !== undefined) {
    let same = true;
    for (let i = 0; i < used && same; i++) same = hit.values[i] === x[i];
    if (same) {
      if (out === undefined) return hit.spectrum.slice();
      out.set(hit.spectrum);
      return out;
    }
  }
  const spectrum = rfft(x, n, out);
  if (seen.get(key)) spectra.set(key, { values: x.slice(0, used), spectrum: spectrum.slice() });
  else seen.set(key, true);
  return spectrum;
}

/**
 * An array of n + 2 doubles for a spectrum of size n that is read before the next call with the same n (compoundFft's
 * product, inverted at once): one per cached plan, so a lattice allocates its output and not also its spectrum.
 */
export function spectrumScratch(n: number): Float64Array {
  const p = plan(n);
  return (p.spectrum ??= new Float64Array(n + 2));
}

/** Forgets every spectrum `rfftMemo` keeps (benchmarks that compare a whole transform with another library's). */
export function clearSpectrumMemo(): void {
  spectra.clear();
  seen.clear();
}
