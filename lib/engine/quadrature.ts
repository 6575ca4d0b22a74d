/**
 * Gaussian quadrature rules for mixing over a random rate (the common shock of a correlated pool).
 *
 * Nodes and weights come from the Golub-Welsch algorithm: the nodes are the eigenvalues of the Jacobi matrix of
 * the three-term recurrence of the orthogonal polynomials, the weights the squared first components of its
 * normalised eigenvectors. An M-point rule integrates polynomials of degree <= 2M - 1 exactly, so the first
 * 2M - 1 moments of a mixture are exact.
 * Reference: G. H. Golub, J. H. Welsch (1969), "Calculation of Gauss quadrature rules", Math. Comp. 23, 221-230.
 */

export interface QuadratureRule {
  /** Nodes in increasing order. */
  readonly nodes: Float64Array;
  /** Probability weights (positive, summing to 1). */
  readonly weights: Float64Array;
}

/**
 * Eigenvalues and first eigenvector components of a symmetric tridiagonal matrix by the implicit QL method.
 *
 * @param d - diagonal (length M), overwritten with the eigenvalues
 * @param e - off-diagonal: e[i] couples rows i and i + 1 (length M, e[M-1] ignored); overwritten
 * @param z - first row of the eigenvector matrix (length M), must start as (1, 0, ..., 0)
 * @see W. H. Press et al., "Numerical Recipes", 3rd ed., section 11.4 (tqli), reduced to the first row.
 */
function tridiagonalQl(d: Float64Array, e: Float64Array, z: Float64Array): void {
  // sqrt(x^2 + y^2) instead of Math.hypot (several times slower in V8): the Jacobi matrices here hold nodes and
  // couplings of probability laws on [0, 1] or of a Gamma's scale, far from overflow; a sum that underflows to 0
  // falls back to Math.hypot (r === 0 ends a rotation early).
  const hypot = (x: number, y: number): number => {
    const r = Math.sqrt(x * x + y * y);
    return r > 0 && r < Infinity ? r : Math.hypot(x, y);
  };
  const n = d.length;
  e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m] as number) + Math.abs(d[m + 1] as number);
        if (Math.abs(e[m] as number) <= Number.EPSILON * dd) break;
      }
      if (m !== l) {
        if (iter++ === 100) throw new Error("quadrature: QL iteration did not converge");
        let g = ((d[l + 1] as number) - (d[l] as number)) / (2 * (e[l] as number));
        let r = hypot(g, 1);
        g = (d[m] as number) - (d[l] as number) + (e[l] as number) / (g + (g >= 0 ? r : -r));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        let early = false;
        for (i = m - 1; i >= l; i--) {
          let f = s * (e[i] as number);
          const b = c * (e[i] as number);
          r = hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] = (d[i + 1] as number) - p;
            e[m] = 0;
            early = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = (d[i + 1] as number) - p;
          r = ((d[i] as number) - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          f = z[i + 1] as number;
          z[i + 1] = s * (z[i] as number) + c * f;
          z[i] = c * (z[i] as number) - s * f;
        }
        if (early) continue;
        d[l] = (d[l] as number) - p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}

function ruleFromJacobi(diag: Float64Array, off: Float64Array): QuadratureRule {
  const n = diag.length;
  const z = new Float64Array(n);
  z[0] = 1;
  tridiagonalQl(diag, off, z);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (diag[a] as number) - (diag[b] as number));
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i] as number;
    nodes[i] = diag[j] as number;
    const w = (z[j] as number) * (z[j] as number);
    weights[i] = w;
    total += w;
  }
  for (let i = 0; i < n; i++) weights[i] = (weights[i] as number) / total;
  return { nodes, weights };
}

/**
 * M-point rule for the Gamma distribution with the given shape and mean 1 (scale 1 / shape): generalised
 * Gauss-Laguerre with alpha = shape - 1, nodes divided by shape.
 *
 * Jacobi matrix of the monic Laguerre polynomials L^(alpha): diagonal 2i + alpha + 1, off-diagonal
 * sqrt(i (i + alpha)), i >= 1.
 *
 * @param shape - Gamma shape > 0 (1 / cv^2 of the shock)
 * @param m - number of nodes, integer 1..4096
 * @returns nodes (rates) and probability weights; sum w_i g_i = 1 and sum w_i g_i^2 = 1 + 1 / shape exactly up
 * to round-off. Example: gammaQuadrature(4, 8).nodes.length returns 8.
 * @see Golub & Welsch (1969); M. Abramowitz, I. Stegun, "Handbook of Mathematical Functions", 22.7.12.
 */
export function gammaQuadrature(shape: number, m: number): QuadratureRule {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`shape must be > 0, got ${shape}`);
  if (!Number.isInteger(m) || m < 1 || m > 4096) throw new RangeError(`node count must be 1..4096, got ${m}`);
  const alpha = shape - 1;
  const diag = new Float64Array(m);
  const off = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    diag[i] = 2 * i + alpha + 1;
    if (i + 1 < m) off[i] = Math.sqrt((i + 1) * (i + 1 + alpha));
  }
  const rule = ruleFromJacobi(diag, off);
  for (let i = 0; i < m; i++) rule.nodes[i] = (rule.nodes[i] as number) / shape;
  return rule;
}

/**
 * M-point rule for the Beta(a, b) distribution on [0, 1]: Gauss-Jacobi with weight (1 - x)^(b - 1) (1 + x)^(a - 1)
 * on [-1, 1], nodes mapped by x -> (1 + x) / 2.
 *
 * Jacobi matrix of the monic Jacobi polynomials P^(alpha, beta) (alpha = b - 1, beta = a - 1):
 * diagonal (beta^2 - alpha^2) / ((2i + alpha + beta)(2i + alpha + beta + 2)),
 * off-diagonal^2 4i(i + alpha)(i + beta)(i + alpha + beta) / ((2i + alpha + beta)^2 (2i + alpha + beta + 1)(2i + alpha + beta - 1)),
 * with the i = 0 and i = 1 terms in their cancelled forms.
 *
 * @param a - first Beta shape > 0
 * @param b - second Beta shape > 0
 * @param m - number of nodes, integer 1..4096
 * @returns nodes in (0, 1) and probability weights. Example: betaQuadrature(2, 3, 4) has mean sum w_i x_i = 0.4.
 * @see Golub & Welsch (1969); W. Gautschi, "Orthogonal Polynomials: Computation and Approximation" (2004), table 1.1.
 */
export function betaQuadrature(a: number, b: number, m: number): QuadratureRule {
  if (!(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new RangeError(`Beta shapes must be > 0, got ${a}, ${b}`);
  }
  if (!Number.isInteger(m) || m < 1 || m > 4096) throw new RangeError(`node count must be 1..4096, got ${m}`);
  const al = b - 1;
  const be = a - 1;
  const s = al + be;
  const diag = new Float64Array(m);
  const off = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    if (i === 0) diag[i] = (be - al) / (s + 2);
    else diag[i] = (be * be - al * al) / ((2 * i + s) * (2 * i + s + 2));
    const j = i + 1; // off-diagonal between rows i and i + 1 uses n = i + 1
    if (j < m) {
      let v: number;
      if (j === 1) v = (4 * (1 + al) * (1 + be)) / ((2 + s) * (2 + s) * (3 + s));
      else {
        const t = 2 * j + s;
        v = (4 * j * (j + al) * (j + be) * (j + s)) / (t * t * (t + 1) * (t - 1));
      }
      off[i] = Math.sqrt(v);
    }
  }
  const rule = ruleFromJacobi(diag, off);
  for (let i = 0; i < m; i++) rule.nodes[i] = 0.5 * (1 + (rule.nodes[i] as number));
  return rule;
}

/** Log-density drop (relative to the peak) where a trapezoidal rule's range ends: e^-50 ~ 2e-22. */
const TRAPEZOID_DROP = 50;

/** The y where g(y) = g(peak) - drop, searched by bisection from the peak in direction dir (g unimodal). */
function dropPoint(g: (y: number) => number, peak: number, dir: 1 | -1): number {
  const target = g(peak) - TRAPEZOID_DROP;
  let width = 1;
  while (g(peak + dir * width) > target) width *= 2;
  let lo = 0;
  let hi = width;
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    if (g(peak + dir * mid) > target) lo = mid;
    else hi = mid;
  }
  return peak + dir * hi;
}

/**
 * Trapezoidal rule with m + 1 equally spaced nodes over [lo, hi] in a variable y, for a distribution with
 * log-density logf(y) (up to a constant) in that variable, nodes mapped back by x(y) and the x nodes rescaled so the
 * rule's mean is exactly `mean` (unless that would move a node above `max`).
 */
function trapezoid(
  logf: (y: number) => number,
  x: (y: number) => number,
  lo: number,
  hi: number,
  m: number,
  mean: number,
  max = Infinity,
): QuadratureRule {
  const nodes = new Float64Array(m + 1);
  const weights = new Float64Array(m + 1);
  const logs = new Float64Array(m + 1);
  let top = -Infinity;
  for (let i = 0; i <= m; i++) {
    const y = lo + ((hi - lo) * i) / m;
    nodes[i] = x(y);
    logs[i] = logf(y);
    top = Math.max(top, logs[i] as number);
  }
  let total = 0;
  for (let i = 0; i <= m; i++) {
    weights[i] = Math.exp((logs[i] as number) - top);
    total += weights[i] as number;
  }
  let first = 0;
  for (let i = 0; i <= m; i++) {
    weights[i] = (weights[i] as number) / total;
    first += (weights[i] as number) * (nodes[i] as number);
  }
  if (((nodes[m] as number) * mean) / first <= max) {
    for (let i = 0; i <= m; i++) nodes[i] = ((nodes[i] as number) * mean) / first;
  }
  return { nodes, weights };
}

/**
 * Trapezoidal rule for Gamma(shape, mean 1) in y = log x, where the density is proportional to
 * exp(shape (y - e^y)): smooth and decaying double-exponentially to the right and exponentially to the left, so
 * equally spaced nodes converge geometrically (Trefethen & Weideman 2014) and, unlike a Gauss rule with many
 * nodes, every node sits where the shock has mass. The range ends where the density is e^-50 of its peak; the
 * nodes are nested when m doubles.
 *
 * @param shape - Gamma shape > 0 (best for shape >= 1; Gauss-Laguerre suits small shapes)
 * @param m - number of intervals (m + 1 nodes), integer >= 2
 * @returns nodes and probability weights with sum w_i x_i = 1 exactly. Example: gammaTrapezoid(100, 32) gives a
 * variance sum w_i (x_i - 1)^2 of 0.01 to about 1e-12.
 * @see L. N. Trefethen, J. A. C. Weideman (2014), "The exponentially convergent trapezoidal rule", SIAM Review 56(3).
 */
export function gammaTrapezoid(shape: number, m: number): QuadratureRule {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`shape must be > 0, got ${shape}`);
  if (!Number.isInteger(m) || m < 2) throw new RangeError(`interval count must be an integer >= 2, got ${m}`);
  const logf = (y: number): number => shape * (y - Math.exp(y));
  return trapezoid(logf, Math.exp, dropPoint(logf, 0, -1), dropPoint(logf, 0, 1), m, 1);
}

/**
 * Trapezoidal rule for Beta(a, b) in y = logit x, where the density is proportional to e^(a y) / (1 + e^y)^(a + b)
 * (exponential decay at both ends, analytic in the strip |Im y| < pi): see `gammaTrapezoid`.
 *
 * @param a - first shape > 0
 * @param b - second shape > 0
 * @param m - number of intervals (m + 1 nodes), integer >= 2
 * @returns nodes in (0, 1) and probability weights with sum w_i x_i = a / (a + b) exactly (unless that would take
 * the top node above 1). Example:
 * betaTrapezoid(50, 450, 64) has mean 0.1.
 */
export function betaTrapezoid(a: number, b: number, m: number): QuadratureRule {
  if (!(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new RangeError(`Beta shapes must be > 0, got ${a}, ${b}`);
  }
  if (!Number.isInteger(m) || m < 2) throw new RangeError(`interval count must be an integer >= 2, got ${m}`);
  // log(1 + e^y) without overflow for large y.
  const softplus = (y: number): number => (y > 0 ? y + Math.log1p(Math.exp(-y)) : Math.log1p(Math.exp(y)));
  const logf = (y: number): number => a * y - (a + b) * softplus(y);
  const peak = Math.log(a / b);
  const logistic = (y: number): number => 1 / (1 + Math.exp(-y));
  return trapezoid(logf, logistic, dropPoint(logf, peak, -1), dropPoint(logf, peak, 1), m, a / (a + b), 1);
}
