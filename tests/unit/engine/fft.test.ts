import { describe, expect, it } from "vitest";
import { irfft, rfft } from "@/lib/engine/fft";
import { nextFftSize } from "@/lib/engine/numeric";
import { seededRandom } from "@/lib/engine/estimate";

/** The DFT by its definition, sum_j x_j e^(-2 pi i j k / N) for k <= N/2, in O(N^2) (the independent reference). */
function directDft(x: Float64Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(n + 2);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      // the angle reduced mod n first, so the reference keeps full precision at large j k
      const a = (2 * Math.PI * ((j * k) % n)) / n;
      re += (x[j] as number) * Math.cos(a);
      im -= (x[j] as number) * Math.sin(a);
    }
    y[2 * k] = re;
    y[2 * k + 1] = im;
  }
  return y;
}

describe("rfft and irfft on sizes 2^k and 3 x 2^k", () => {
  const random = seededRandom(11);
  for (const n of [24, 48, 96, 384, 1536, 64, 512]) {
    it(`match the direct DFT at N = ${n} (absolute 2e-15 N on inputs in [0, 1): the reference's own round-off) and invert to 1e-15`, () => {
      const x = Float64Array.from({ length: n }, () => random());
      const y = rfft(x);
      const ref = directDft(x);
      let worst = 0;
      for (let i = 0; i < n + 2; i++) worst = Math.max(worst, Math.abs((y[i] as number) - (ref[i] as number)));
      expect(worst).toBeLessThan(2e-15 * n);
      const back = irfft(y);
      let err = 0;
      for (let i = 0; i < n; i++) err = Math.max(err, Math.abs((back[i] as number) - (x[i] as number)));
      expect(err).toBeLessThan(1e-15);
    });
  }

  it("zero-pads a short input to a 3 x 2^k size like to a power of two (the pmf of a severity)", () => {
    const x = Float64Array.of(0.2, 0.5, 0.3);
    const padded = new Float64Array(96);
    padded.set(x);
    expect(Array.from(rfft(x, 96))).toEqual(Array.from(rfft(padded)));
  });

  it("refuses other sizes, and nextFftSize picks the smaller of 2^k and 3 x 2^k above n", () => {
    expect(() => rfft(new Float64Array(40))).toThrow(RangeError);
    expect(() => rfft(new Float64Array(12))).toThrow(RangeError);
    expect([nextFftSize(5000), nextFftSize(6145), nextFftSize(4096), nextFftSize(20), nextFftSize(3)]).toEqual([6144, 8192, 4096, 24, 4]);
  });
});
