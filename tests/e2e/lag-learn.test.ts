import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openBrowser, screenshot, type Session } from "./browser";

const baseUrl = inject("baseUrl");
const chromiumPath = inject("chromiumPath");
const REPORT = path.resolve(import.meta.dirname, "..", "fixtures", "engine", "lag-report", "google-ads-days-to-conversion.csv");

/** 60 days of one campaign up to yesterday (an export taken today). */
function exportCsv(): string {
  const today = new Date();
  const yesterday = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - 86_400_000;
  const lines = ["date,campaign,impressions,clicks,conversions,spend,revenue"];
  for (let age = 59; age >= 0; age--) {
    const date = new Date(yesterday - age * 86_400_000).toISOString().slice(0, 10);
    const sales = 3 + (age % 5);
    lines.push(`${date},Search,8000,400,${sales},200.00,${sales * 40}.00`);
  }
  return lines.join("\n") + "\n";
}

describe.skipIf(!chromiumPath)("the dataset page's Conversion lag card", () => {
  let s: Session;
  let id = 0;

  beforeAll(async () => {
    s = await openBrowser(chromiumPath);
    const res = await fetch(`${baseUrl}/api/uploads?fileName=lag-card.csv&name=Lag%20card`, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: exportCsv(),
    });
    expect(res.status).toBe(201);
    id = ((await res.json()) as { datasetId: number }).datasetId;
  });

  afterAll(async () => {
    await s?.close();
  });

  it("says the curve is assumed, then learns it from an uploaded Days-to-conversion report", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${id}`);
    const source = page.locator('[data-testid="lag-card-source"]');
    await source.waitFor({ timeout: 60_000 });
    expect(await source.innerText()).toMatch(/^Assumed: 90% within 7 days; add a newer export or a Days-to-conversion report to learn it/);
    const card = page.locator('[data-testid="lag-card"]');
    // the chart is drawn once the page is hydrated
    await expect.poll(() => card.innerText(), { timeout: 30_000 }).toContain("days since the click's day");
    expect(await card.locator(".recharts-wrapper").count()).toBe(1);
    await page.locator('[data-testid="lag-report-upload"] input[type="file"]').setInputFiles(REPORT);
    await page.locator('[data-testid="lag-report-result"]').waitFor();
    await expect.poll(() => source.innerText(), { timeout: 60_000 }).toMatch(/^From your Days-to-conversion report \(google-ads-days-to-conversion\.csv\), 1,800 conversions/);
    expect(await card.innerText()).toMatch(/with its 90% band/);
    expect(await card.innerText()).toMatch(/Report on file: google-ads-days-to-conversion\.csv, 15 buckets/);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, "lag-card-report-1280");
  });

  it("shows why a file is refused, and goes back to the assumption when the report is removed", async () => {
    const { page } = s;
    const bad = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "lag-card-")), "not-a-report.csv");
    fs.writeFileSync(bad, "campaign,clicks,conversions\nA,10,1\n");
    await page.locator('[data-testid="lag-report-upload"] input[type="file"]').setInputFiles(bad);
    await expect.poll(() => page.locator('[data-testid="lag-report-upload"] [role="alert"]').innerText()).toMatch(/not a time-lag report/);
    s.errors.length = 0; // the refused upload's 422 was expected
    await page.getByRole("button", { name: "Remove the report" }).click();
    await expect
      .poll(() => page.locator('[data-testid="lag-card-source"]').innerText(), { timeout: 60_000 })
      .toMatch(/^Assumed: 90% within 7 days/);
    expect(s.errors).toEqual([]);
  });

  it("fits a phone screen (390 px)", async () => {
    const phone = await openBrowser(chromiumPath, 390);
    try {
      await phone.page.goto(`${baseUrl}/datasets/${id}`);
      const card = phone.page.locator('[data-testid="lag-card"]');
      await card.waitFor({ timeout: 60_000 });
      const box = await card.boundingBox();
      expect(box!.width).toBeLessThanOrEqual(390);
      await card.scrollIntoViewIfNeeded();
      await screenshot(phone.page, "lag-card-390");
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
