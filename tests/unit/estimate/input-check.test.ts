/**
 * The plain-loop check of estimation inputs (isValidCampaignInput) accepts exactly what CampaignInputSchema (zod)
 * accepts: estimateDataset skips zod's parse when it says yes, so a disagreement would let bad rows through.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CampaignInputSchema, isValidCampaignInput } from "@/lib/engine/estimate/types";

// mostly valid figures, so that whole inputs are often valid; now and then a negative, NaN or infinite one
const num = fc.oneof(
  { arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }), weight: 12 },
  { arbitrary: fc.constantFrom(0, 1, 2.5), weight: 4 },
  { arbitrary: fc.constantFrom(-1, Number.NaN, Number.POSITIVE_INFINITY, -0.5), weight: 1 },
);
const row = fc.record({
  date: fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    { arbitrary: fc.constantFrom("2026-01-02", "2026-01-03"), weight: 3 },
    { arbitrary: fc.constantFrom("2026-1-2", ""), weight: 1 },
  ),
  impressions: fc.oneof(fc.constant(null), num),
  clicks: num,
  conversions: num,
  spend: num,
  revenue: fc.oneof(fc.constant(null), num),
});
const input = fc.record(
  {
    campaign: fc.constantFrom("A", "", "Brand"),
    days: fc.array(row, { minLength: 0, maxLength: 4 }),
    orderValues: fc.array(num, { maxLength: 3 }),
  },
  { requiredKeys: ["campaign", "days"] },
);

describe("isValidCampaignInput", () => {
  it("agrees with CampaignInputSchema on 3,000 seeded inputs, valid and invalid", () => {
    let valid = 0;
    fc.assert(
      fc.property(input, (x) => {
        const ok = CampaignInputSchema.safeParse(x).success;
        if (ok) valid++;
        expect(isValidCampaignInput(x)).toBe(ok);
      }),
      { seed: 20261204, numRuns: 3000 },
    );
    // the draw reaches both sides, or the agreement would say little
    expect(valid).toBeGreaterThan(300);
  });

  it("refuses what is not an object and rows missing a field", () => {
    expect(isValidCampaignInput(null)).toBe(false);
    expect(isValidCampaignInput({ campaign: "A", days: [{ date: null, clicks: 1, conversions: 0, spend: 1, revenue: null }] })).toBe(false);
  });
});
