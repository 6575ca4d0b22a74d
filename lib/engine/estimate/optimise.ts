/**
 * Small derivative-free optimisers for the one- and two-parameter fits of the estimation code.
 */

/**
 * Minimises f on [lo, hi] by golden-section search (f assumed unimodal there).
 * Each step keeps the bracket containing the minimum and shrinks it by 1/phi; `iterations` = 100 reduces a bracket
 * of width 30 to ~2e-20 (below double spacing), so the result is the bracket midpoint to machine precision;
 * `xTol` stops earlier, once the bracket is narrower than it.
 * @example goldenMinimise((x) => (x - 2) ** 2, 0, 5).x // returns ~2
 * Reference: Press et al., Numerical Recipes (3rd ed.), sec. 10.2.
 */
export function goldenMinimise(
  f: (x: number) => number,
  lo: number,
  hi: number,
  iterations = 100,
  xTol = 0,
): { x: number; f: number } {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < iterations && b - a > Math.max(xTol, 1e-12 * (1 + Math.abs(a) + Math.abs(b))); i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const x = (a + b) / 2;
  const fx = f(x);
  // The bracket ends can be better than the midpoint when the minimum is on the boundary.
  const candidates: [number, number][] = [
    [x, fx],
    [lo, f(lo)],
    [hi, f(hi)],
  ];
  candidates.sort((p, q) => p[1] - q[1]);
  const best = candidates[0] as [number, number];
  return { x: best[0], f: best[1] };
}

/**
 * Minimises f over R^2 by Nelder-Mead (reflection 1, expansion 2, contraction 1/2, shrink 1/2), restarted once from
 * the best point so a collapsed simplex cannot stop it early. Non-finite f values count as +Infinity.
 * @param start - starting point. @param step - initial simplex edge along each axis.
 * @example nelderMead(([x, y]) => (x - 1) ** 2 + 10 * (y + 2) ** 2, [0, 0]).x // returns ~[1, -2]
 * Reference: Nelder & Mead (1965), Computer Journal 7; Lagarias et al. (1998), SIAM J. Optim. 9.
 */
export function nelderMead(
  f: (p: [number, number]) => number,
  start: [number, number],
  step: [number, number] = [0.5, 0.5],
  maxIterations = 4000,
): { x: [number, number]; f: number; iterations: number } {
  const F = (p: [number, number]) => {
    const v = f(p);
    return Number.isFinite(v) ? v : Infinity;
  };
  let x0 = start;
  let total = 0;
  let best = { x: start, f: F(start) };
  for (let restart = 0; restart < 2; restart++) {
    let s: { x: [number, number]; f: number }[] = [
      { x: x0, f: F(x0) },
      { x: [x0[0] + step[0], x0[1]], f: 0 },
      { x: [x0[0], x0[1] + step[1]], f: 0 },
    ];
    for (let i = 1; i < 3; i++) (s[i] as { x: [number, number]; f: number }).f = F((s[i] as { x: [number, number] }).x);
    for (let it = 0; it < maxIterations; it++, total++) {
      s.sort((p, q) => p.f - q.f);
      const [b0, b1, w] = s as [(typeof s)[0], (typeof s)[0], (typeof s)[0]];
      const spreadF = Math.abs(w.f - b0.f);
      const size = Math.max(
        Math.abs(w.x[0] - b0.x[0]),
        Math.abs(w.x[1] - b0.x[1]),
        Math.abs(b1.x[0] - b0.x[0]),
        Math.abs(b1.x[1] - b0.x[1]),
      );
      if (spreadF <= 1e-12 * (1 + Math.abs(b0.f)) && size < 1e-9) break;
      const c: [number, number] = [(b0.x[0] + b1.x[0]) / 2, (b0.x[1] + b1.x[1]) / 2];
      const at = (t: number): [number, number] => [c[0] + t * (w.x[0] - c[0]), c[1] + t * (w.x[1] - c[1])];
      const r = at(-1);
      const fr = F(r);
      if (fr < b0.f) {
        const e = at(-2);
        const fe = F(e);
        s = fe < fr ? [b0, b1, { x: e, f: fe }] : [b0, b1, { x: r, f: fr }];
      } else if (fr < b1.f) {
        s = [b0, b1, { x: r, f: fr }];
      } else {
        const k = fr < w.f ? at(-0.5) : at(0.5);
        const fk = F(k);
        if (fk < Math.min(fr, w.f)) {
          s = [b0, b1, { x: k, f: fk }];
        } else {
          const shrink = (p: [number, number]): [number, number] => [(p[0] + b0.x[0]) / 2, (p[1] + b0.x[1]) / 2];
          const p1 = shrink(b1.x);
          const p2 = shrink(w.x);
          s = [b0, { x: p1, f: F(p1) }, { x: p2, f: F(p2) }];
        }
      }
    }
    s.sort((p, q) => p.f - q.f);
    const top = s[0] as { x: [number, number]; f: number };
    if (top.f <= best.f) best = top;
    x0 = best.x;
    step = [step[0] / 4, step[1] / 4];
  }
  return { x: best.x, f: best.f, iterations: total };
}
