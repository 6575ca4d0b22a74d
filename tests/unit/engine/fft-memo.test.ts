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
    expect(rfftMemo(x, N, x.length)).toEqual(direct);
    expect(rfftMemo(x, N, x.length)).toEqual(direct); // seen before: kept
    expect(rfftMemo(Float64Array.from(x), N, x.length)).toEqual(direct); // a copy of the same values: from the memo
  });

  it("hands out a copy: changing an answer changes no later one", () => {
    const x = severity(2, 500);
    rfftMemo(x, N, x.length);
    const second = rfftMemo(x, N, x.length);
    const expected = second.slice();
    second.fill(7);
    const third = rfftMemo(x, N, x.length);
    expect(third).toEqual(expected);
    third.fill(8);
    expect(rfftMemo(x, N, x.length)).toEqual(expected);
  });

  it("tells apart inputs that differ in one value, in length or in grid size", () => {
    const x = severity(3, 600);
    const y = Float64Array.from(x);
    y[599] = (y[599] as number) + 1e-12;
    const z = new Float64Array(601);
    z.set(x);
    z[600] = 1e-300;
    rfftMemo(x, N, x.length);
    rfftMemo(x, N, x.length);
    expect(rfftMemo(y, N, y.length)).toEqual(rfft(y, N));
    expect(rfftMemo(z, N, z.length)).toEqual(rfft(z, N));
    expect(rfftMemo(x, 2 * N, x.length)).toEqual(rfft(x, 2 * N));
    expect(rfftMemo(y, N, y.length)).not.toEqual(rfft(x, N));
  });
});
