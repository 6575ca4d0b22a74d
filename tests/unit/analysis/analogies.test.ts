/**
 * The analogies page's panels (lib/analysis/analogies.ts): the latency simulation's figures, the coin panel from the
 * reference figures, uploaded price files (tests/fixtures/coins/synthetic-USD.csv, figures checked by hand in
 * tests/unit/coins/coins.test.ts), and the pooling and collar panels on the built-in model.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  coinUpload,
  coinsPanel,
  collarPanel,
  FALLBACK_MODEL,
  latencyPanel,
  poolingPanel,
  referenceCoinSeries,
  uploadedCoinSeries,
} from "@/lib/analysis/analogies";
import { specOutcome } from "@/lib/analysis/pooling-source";
import { COIN_REFERENCE } from "@/lib/engine/coins-reference";
import { AppError } from "@/lib/errors";

const csv = fs.readFileSync(path.resolve(__dirname, "../../fixtures/coins/synthetic-USD.csv"), "utf8");
const btc = COIN_REFERENCE.find((c) => c.symbol === "BTC")!;
const usdc = COIN_REFERENCE.find((c) => c.symbol === "USDC")!;

describe("latencyPanel", () => {
  const p = latencyPanel();

  it("shows the balancer cutting the p99 by more than 15% while the mean moves less than 10%", () => {
    const [mean, p99] = p.figures;
    expect(p99!.after).toBeLessThan(0.85 * p99!.before);
    expect(Math.abs(mean!.after / mean!.before - 1)).toBeLessThan(0.1);
  });

  it("is deterministic (a seeded simulation) and says what it did in its caption", () => {
    expect(latencyPanel().figures).toEqual(p.figures);
    expect(p.caption).toContain("adds 6 ms to every request");
    expect(p.caption).toContain(`${p.figures[1]!.before.toFixed(1)} ms`);
  });

  it("bins both sides on the same edges", () => {
    expect(p.before.histogram.map((b) => b.x)).toEqual(p.after.histogram.map((b) => b.x));
  });
});

describe("coinsPanel", () => {
  const p = coinsPanel(referenceCoinSeries(btc), referenceCoinSeries(usdc));

  it("reports the published figures: daily sd, the 1% quantile and the mean", () => {
    const sd = p.figures.find((f) => f.label.startsWith("Daily volatility"))!;
    expect(sd.before).toBe(btc.dailySd);
    expect(sd.after).toBe(usdc.dailySd);
    const q01 = p.figures.find((f) => f.label.startsWith("Worst 1%"))!;
    expect(q01.before).toBe(btc.quantiles["0.01"]);
    expect(p.figures[0]).toMatchObject({ before: btc.dailyMean, after: usdc.dailyMean });
  });

  it("keeps the reference bins within +-20% (0.5% wide) and their shares of days", () => {
    const total = btc.histogram.counts.reduce((s, c) => s + c, 0);
    for (const b of p.before.histogram) {
      expect(Math.abs(b.x)).toBeLessThanOrEqual(0.2);
      expect(b.width).toBe(0.005);
    }
    const shown = p.before.histogram.reduce((s, b) => s + b.p, 0);
    expect(shown).toBeGreaterThan(0.99);
    expect(shown).toBeLessThanOrEqual(1);
    expect(p.before.histogram.find((b) => Math.abs(b.x - 0.0025) < 1e-9)!.p).toBeCloseTo(btc.histogram.counts[60]! / total, 15);
  });

  it("names both coins and their sources", () => {
    expect(p.title).toContain("BTC");
    expect(p.title).toContain("USDC");
    expect(p.source).toContain("2018-04-18 to 2023-04-17");
  });
});

describe("uploaded price files", () => {
  it("turns a Yahoo CSV into returns with the hand-checked sd 0.1341640786 (1e-9)", () => {
    const { series, skippedRows } = uploadedCoinSeries({ csv, name: "synthetic-USD.csv" });
    expect(series.label).toBe("synthetic-USD");
    expect(Math.abs(series.dailySd - 0.1341640786)).toBeLessThan(1e-9);
    expect(series.days).toBe(6);
    expect(skippedRows).toBe(1);
  });

  it("rebuilds panel c with the upload in its role and the reference on the other side", () => {
    const a = coinUpload({ csv, name: "mine.csv", role: "stable" });
    expect(a.panel.before.label).toBe("BTC");
    expect(a.panel.after.label).toBe("mine");
  });

  it("refuses a file without Date and Close columns", () => {
    expect(() => uploadedCoinSeries({ csv: "a,b\n1,2\n" })).toThrow(AppError);
    try {
      uploadedCoinSeries({ csv: "a,b\n1,2\n" });
    } catch (e) {
      expect((e as AppError).code).toBe("unrecognised_format");
    }
  });

  it("refuses a file with fewer than three prices", () => {
    try {
      uploadedCoinSeries({ csv: "Date,Close\n2024-01-01,1\n2024-01-02,2\n" });
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).code).toBe("no_valid_rows");
    }
  });
});

describe("pooling and collar panels on the built-in model", () => {
  const model = specOutcome(FALLBACK_MODEL);
  const { panel: pool, rho } = poolingPanel(model);
  const collar = collarPanel(model, rho);

  it("pools 20 budgets: the mean stays, the 5% quantile rises", () => {
    const [mean, q05] = pool.figures;
    expect(Math.abs(mean!.after / mean!.before - 1)).toBeLessThan(1e-3);
    expect(q05!.after).toBeGreaterThan(q05!.before);
  });

  it("collars at the 5% quantile for nothing: the mean stays, the worst-5% average rises to the floor", () => {
    const [mean, worst] = collar.figures;
    expect(Math.abs(mean!.after / mean!.before - 1)).toBeLessThan(1e-6);
    expect(worst!.after).toBeGreaterThan(worst!.before);
    expect(collar.after.atoms.map((a) => a.label)).toEqual(["floor", "cap"]);
  });
});
