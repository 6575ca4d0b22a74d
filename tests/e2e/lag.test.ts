import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { completeness, DEFAULT_LAG, lagRate } from "@/lib/engine/lag";
import { createRng } from "@/lib/engine/rng";
import { openBrowser, screenshot, type Session } from "./browser";

const baseUrl = inject("baseUrl");
const chromiumPath = inject("chromiumPath");

/**
 * An export taken today: 90 days up to yesterday of one campaign at 500 clicks and 3% a day, each day's sales kept
 * with probability F(age) of the default curve, as a platform's newest days are.
 */
function laggedExport(): string {
  const k = lagRate(DEFAULT_LAG);
  const rng = createRng(1);
  const today = new Date();
  const yesterday = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - 86_400_000;
  const lines = ["date,campaign,impressions,clicks,conversions,spend,revenue"];
  for (let age = 89; age >= 0; age--) {
    const date = new Date(yesterday - age * 86_400_000).toISOString().slice(0, 10);
    const sales = rng.binomial(rng.binomial(500, 0.03), completeness(age, k));
    lines.push(`${date},Lagged Search,10000,500,${sales},250.00,${sales * 40}.00`);
  }
  return lines.join("\n") + "\n";
}

describe.skipIf(!chromiumPath)("conversion lag on the campaign page", () => {
  let s: Session;
  let id = 0;

  beforeAll(async () => {
    s = await openBrowser(chromiumPath);
    const res = await fetch(`${baseUrl}/api/uploads?fileName=lagged-export.csv&name=Lagged%20export`, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: laggedExport(),
    });
    expect(res.status).toBe(201);
    id = ((await res.json()) as { datasetId: number }).datasetId;
  });

  afterAll(async () => {
    await s?.close();
  });

  it("marks the last 14 days provisional, with their expected final counts and where the curve comes from", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${id}/campaigns/${encodeURIComponent("Lagged Search")}`);
    const table = page.locator('[data-testid="provisional-days"]');
    await table.waitFor();
    expect(await table.locator("tbody tr").count()).toBe(14);
    expect(await table.locator("tbody tr").last().innerText()).toMatch(/15%/);
    expect(await page.locator('[data-testid="lag-source"]').innerText()).toMatch(/90% of sales within 7 days/);
    // the chart draws after its container is measured (after hydration): wait for the shaded provisional area
    const shaded = page.locator(".recharts-wrapper").first().locator(".recharts-reference-area");
    await shaded.first().waitFor();
    expect(await shaded.count()).toBe(1);
    expect(await page.locator(".recharts-wrapper").first().innerText()).toContain("provisional");
    expect(await page.locator('[data-testid="campaign-verdict"]').innerText()).toMatch(/still provisional/);
    await screenshot(page, "campaign-provisional-1280");
  });

  it("says on the dataset's lag card what its newest day holds", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${id}`);
    const card = page.locator('[data-testid="lag-card"]');
    await card.waitFor();
    // the export ends yesterday, the day before its upload: its newest day is the as-of day, F(0) = 15% by default
    expect(await card.innerText()).toMatch(/the newest day holds about 15% of its final conversions/);
  });

  it("keeps ?lag= when the horizon changes, and says so when the setting is unreadable", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${id}/campaigns/${encodeURIComponent("Lagged Search")}?lag=off`);
    await page.locator('[data-testid="lag-source"]').waitFor();
    expect(await page.locator('[data-testid="provisional-days"]').count()).toBe(0);
    const responded = page.waitForResponse((r) => r.url().includes("/campaigns/") && r.url().includes("horizon=month"));
    await page.getByRole("radio", { name: /Month/ }).check();
    expect((await responded).url()).toContain("lag=off");
    await expect.poll(() => page.url()).toContain("lag=off");
    await page.goto(`${baseUrl}/datasets/${id}/campaigns/${encodeURIComponent("Lagged Search")}?lag=2@7`);
    expect(await page.locator(".alert.warn").first().innerText()).toMatch(/Ignored lag "2@7"/);
    expect(await page.locator('[data-testid="provisional-days"] tbody tr').count()).toBe(14);
    expect(s.errors).toEqual([]);
  });
});
