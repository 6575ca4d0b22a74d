/**
 * The drifting model on a real campaign: ../shared/data/ads/real_daily_one_campaign.csv (one display campaign, 91 days
 * from 2020-04-01 to 2020-06-30, 6,877 rows of day x banner x placement; the public "online advertising performance"
 * data set). Skipped when ../shared is absent; the file is read inside the tests, never while vitest collects.
 */
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { driftCalibration, estimateCampaign } from "@/lib/engine/estimate";
import type { DayRow } from "@/lib/engine/estimate";
import { REAL_CAMPAIGN, readRealCampaignDays } from "@/tests/support/real-campaign";

const FILE = REAL_CAMPAIGN;
const readDays = () => readRealCampaignDays();


describe.skipIf(!fs.existsSync(FILE))("the real daily campaign (../shared)", () => {
  let days: DayRow[] = [];
  beforeAll(() => {
    days = readDays();
  });

  it("has 91 days of ~15,000 clicks and ~7,000 conversions", () => {
    expect(days).toHaveLength(91);
    const clicks = days.reduce((s, d) => s + d.clicks, 0) / days.length;
    expect(clicks).toBeGreaterThan(14_000);
    expect(clicks).toBeLessThan(17_000);
  });

  it("one-step-ahead 90% bands hold on 85-95% of the 77 scored days (the fixed rate's held on under 10%)", () => {
    const { calibration } = driftCalibration(days);
    expect(calibration.days).toBe(77);
    expect(calibration.coverage90).toBeGreaterThanOrEqual(0.85);
    expect(calibration.coverage90).toBeLessThanOrEqual(0.95);
    const fixed = driftCalibration(days, { discounts: [1], shocks: [0] }).calibration;
    expect(fixed.coverage90).toBeLessThan(0.1);
    expect(calibration.model.delta).toBeLessThan(1);
  });

  it("tells one story: the chart's share of days inside equals coverage90, and the verdict gives no tiny p-value", () => {
    const e = estimateCampaign({ campaign: "real", days });
    const scored = e.band.filter((b) => b.scored);
    expect(scored.filter((b) => b.position === "inside").length / scored.length).toBeCloseTo(e.calibration?.coverage90 ?? NaN, 12);
    // Before the drift model: "better than noise explains, p 0.000024" beside a chart with 13% of days outside.
    if (e.verdict.fit === "poor") expect(e.verdict.tailProbability).toBeNull();
    else expect(e.verdict.tailProbability).toBeGreaterThan(0.01);
  });
});
