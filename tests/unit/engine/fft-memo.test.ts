import { describe, expect, it } from "vitest";
import { seededRandom } from "@/lib/engine/estimate/rng";
import { rfft, rfftMemo } from "@/lib/engine/fft";

const N = 1 << 15;

function severity(seed: number, length: number): Float64Array {
  const rand = seededRandom(seed);
  return Float64Array.from({ length }, () => rand());
}

describe("rfftMemo", () => {
  it("answers exactly what rfft answers, first and again", () => {
    const x = severity(1, 700);
    const direct = rfft(x, N);
    expect(rfftMemo(x, N)).toEqual(direct);
    expect(rfftMemo(Float64Array.from(x), N)).toEqual(direct); // a copy of the same values: from the memo
  });

  it("hands out a copy: changing an answer changes no later one", () => {
    const x = severity(2, 500);
    const first = rfftMemo(x, N);
    const expected = first.slice();
    first.fill(7);
    expect(rfftMemo(x, N)).toEqual(expected);
  });

  it("tells apart inputs that differ in one value, in length or in grid size", () => {
    const x = severity(3, 600);
    const y = Float64Array.from(x);
    y[599] = (y[599] as number) + 1e-12;
    const z = new Float64Array(601);
    z.set(x);
    z[600] = 1e-300;
    rfftMemo(x, N);
    expect(rfftMemo(y, N)).toEqual(rfft(y, N));
    expect(rfftMemo(z, N)).toEqual(rfft(z, N));
    expect(rfftMemo(x, 2 * N)).toEqual(rfft(x, 2 * N));
    expect(rfftMemo(y, N)).not.toEqual(rfft(x, N));
  });
});
