// Times runModel on the reference cases (given step and automatic) and heavy-tailed requests: median of 5 runs after
// one warm-up, in milliseconds. Run: npm run bench:engine-cases. Compare against the same script on an earlier commit.
import { modelSpecSchema, runModel } from "@/lib/engine/contract";
import cases from "../fixtures/engine/engine-cases.json";
const extra: Record<string, unknown>[] = [
  { id: "p1000-ln03", frequency: { kind: "poisson", lambda: 1000 }, severity: { kind: "lognormal", mu: 0, sigma: 3 } },
  { id: "p10-ln02", frequency: { kind: "poisson", lambda: 10 }, severity: { kind: "lognormal", mu: 0, sigma: 2 } },
  { id: "p100-ln025", frequency: { kind: "poisson", lambda: 100 }, severity: { kind: "lognormal", mu: 0, sigma: 2.5 } },
  { id: "nb-pool50000", frequency: { kind: "negbin", r: 0.5, mean: 50 }, severity: { kind: "lognormal", mu: 4, sigma: 1 }, pool: 50000, rho: 0.33 },
];
const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
function time(req: unknown): string {
  const spec = modelSpecSchema.parse(req);
  try { runModel(spec); } catch { return "refused"; }
  const t: number[] = [];
  for (let i = 0; i < 5; i++) { const a = performance.now(); runModel(spec); t.push(performance.now() - a); }
  return med(t).toFixed(0);
}
for (const c of cases as Record<string, unknown>[]) {
  const { id, about: _a, expected: _e, step, ...rest } = c;
  console.log(`${String(id).padEnd(40)} step ${String(step).padEnd(4)} ${time({ ...rest, step }).padStart(7)} ms   auto ${time(rest).padStart(7)} ms`);
}
for (const c of extra) { const { id, ...rest } = c; console.log(`${String(id).padEnd(40)} auto ${time(rest).padStart(7)} ms`); }
