import { describe, expect, it } from "vitest";
import { forecastSentences } from "@/lib/analysis/campaign";
import type { CampaignAnalysis } from "@/lib/analysis/types";

/** The fields forecastSentences reads, around a forecast of `mean` sales a week. */
function campaign(mean: number, q05: number, q95: number, revenue = 1000): CampaignAnalysis {
  return {
    revenue,
    verdict: { text: "Inside the noise band." },
    forecast: {
      horizon: "week",
      budget: 1234.5,
      conversions: { mean, q05, q95 },
      revenue: { mean: 150688.5798, q05: 90000, q95: 210000.4 },
      pZeroConversions: 0.0004,
      pLoss: 0.025,
      pZeroDay: 0.37,
    },
  } as unknown as CampaignAnalysis;
}

// Expected text written out by hand from the formatting rules (thousands separators, plurals, currency sign).
describe("forecastSentences", () => {
  it("prints a large expected count whole, with separators, and amounts with the currency sign", () => {
    const s = forecastSentences(campaign(48698.8, 48300, 49100), "USD", "day");
    expect(s[0]).toBe("At $1,235 per week, expect about 48,699 sales (90% of weeks between 48,300 and 49,100 sales).");
    expect(s[2]).toBe("The chance of a week with no sale at all is under 0.1%.");
    expect(s[3]).toBe(
      "Revenue: about $150,689 (90% between $90,000 and $210,000); in about 1 week in 40 does it come in below the $1,235 spent.",
    );
    expect(s[4]).toBe("On a typical day at the current spend, the chance of no sale is 37%.");
  });
  it("agrees singular and plural, and prints plain amounts when the currency is unknown", () => {
    const s = forecastSentences(campaign(1, 0, 1), null, "ad");
    expect(s[0]).toBe("For 1,235 of spend, expect about 1 sale (90% of weeks between 0 and 1 sale).");
    expect(s.join(" ")).not.toMatch(/\$|NaN|undefined/);
  });
});
