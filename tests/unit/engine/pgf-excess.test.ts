import { describe, expect, it } from "vitest";
import { applyPgfExcess, binomial, negativeBinomial, poisson, type Frequency } from "@/lib/engine/frequency";
import { seededRandom } from "@/lib/engine/estimate";

/**
 * applyPgfExcess takes G(phi) - G(x0) from the first two terms of the pgf's series where |phi| <= 1e-9 (most of a
 * smooth severity's high frequencies). Checked here against G(phi) - G(x0) formed from pgfAt at each point, with
 * absolute tolerance 1e-15 (the subtraction's own round-off on values of order 1), on batches where the small points
 * are most of the batch (the split path) and where they are few (one pass over all).
 */
describe("applyPgfExcess", () => {
  const families: [string, Frequency][] = [
    // means of a few claims: P(N = 0) and P(N = 1) are large, so the two terms' values are far above the tolerance
    ["Poisson 2.5", poisson(2.5)],
    ["binomial 20 x 0.1", binomial(20, 0.1)],
    ["negative binomial r 0.8, mean 3", negativeBinomial(0.8, 3)],
  ];
  for (const [name, frequency] of families) {
    for (const smallShare of [0.9, 0.05]) {
      it(`${name}: ${smallShare * 100}% of points with |phi| <= 1e-9 give G(phi) - G(x0) to 1e-15`, () => {
        const random = seededRandom(3);
        const count = 400;
        const z = new Float64Array(2 * count);
        for (let i = 0; i < count; i++) {
          const small = random() < smallShare;
          const r = small ? 1e-9 * random() : random();
          const a = 2 * Math.PI * random();
          z[2 * i] = r * Math.cos(a);
          z[2 * i + 1] = r * Math.sin(a);
        }
        const x0 = 0.013;
        const g0 = new Float64Array(2);
        frequency.pgfAt(x0, 0, g0, 0);
        const expected = new Float64Array(2 * count);
        for (let i = 0; i < count; i++) {
          frequency.pgfAt(z[2 * i] as number, z[2 * i + 1] as number, expected, 2 * i);
          expected[2 * i] = (expected[2 * i] as number) - (g0[0] as number);
        }
        applyPgfExcess(frequency, z, count, x0);
        let worst = 0;
        for (let j = 0; j < 2 * count; j++) worst = Math.max(worst, Math.abs((z[j] as number) - (expected[j] as number)));
        expect(worst).toBeLessThan(1e-15);
      });
    }
  }
});
