import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openBrowser, screenshot, type Session } from "./browser";

const baseUrl = inject("baseUrl");
const chromiumPath = inject("chromiumPath");

const days = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"];
// a Google Ads campaign report of two campaigns, and a Meta export of the same shop: "Brand Search" is in both
const GOOGLE =
  'Campaign report\n"Mar 1, 2026 - Mar 6, 2026"\nDay,Campaign,Impr.,Clicks,Cost,Conversions,Conv. value,Currency code\n' +
  days.map((d, i) => `${d},Brand Search,"1,${200 + i}",${120 + i},150.${10 + i},${(i % 3) + 2}.00,${300 + i * 20}.00,USD\n${d},Generic Search,"9,${870 + i}",${80 + i},96.40,1.00,75.00,USD`).join("\n") +
  "\n";
const META =
  '"Campaign name","Reporting starts","Reporting ends","Impressions","Link clicks","Amount spent (USD)","Purchases","Purchases conversion value"\n' +
  days.map((d, i) => `"Brand Search","${d}","${d}","${15000 + i}","${200 + i}","84.${12 + i}","${i % 2}","${(i % 2) * 47}.50"\n"Lookalike Prospecting","${d}","${d}","${11000 + i}","${150 + i}","61.07","${(i + 1) % 3}","${((i + 1) % 3) * 39}.00"`).join("\n") +
  "\n";

describe.skipIf(!chromiumPath)("files of two platforms in one dataset, on its page", () => {
  let s: Session;
  let id = 0;
  let dir = "";

  beforeAll(async () => {
    s = await openBrowser(chromiumPath);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-e2e-sources-"));
    const res = await fetch(`${baseUrl}/api/uploads?fileName=google-ads.csv&name=Two%20platforms`, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: GOOGLE,
    });
    expect(res.status).toBe(201);
    id = ((await res.json()) as { datasetId: number }).datasetId;
  });

  afterAll(async () => {
    await s?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("adds a Meta export through the dataset page, then shows the source switch, the By source table and Meta alone", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${id}`);
    await page.locator('[data-testid="dataset-uploads"]').waitFor();
    // one source: no switch
    expect(await page.locator('[data-testid="source-switch"]').count()).toBe(0);

    await page.locator('[data-testid="add-newer-export"]').click();
    await page.waitForURL(`**/upload?into=${id}`);
    const file = path.join(dir, "meta.csv");
    fs.writeFileSync(file, META);
    await page.locator('[data-testid="file-input"]').setInputFiles(file);
    await page.locator('[data-testid="import-into"]').waitFor();
    await page.locator('[data-testid="confirm-import"]').click();
    const change = page.locator('[data-testid="upload-change"]');
    await change.waitFor();
    // 12 Meta rows added beside the 12 Google rows, none replaced; the shared name is said
    expect(await change.innerText()).toMatch(/12 rows added, 0 rows replaced/);
    expect(await page.locator("body").innerText()).toContain("Brand Search is in Google Ads and Meta: counted together");
    await screenshot(page, "sources-summary-1280");

    await page.goto(`${baseUrl}/datasets/${id}`);
    const sw = page.locator('[data-testid="source-switch"]');
    await sw.waitFor();
    expect((await sw.getByRole("link").allInnerTexts()).map((t) => t.trim())).toEqual(["All sources", "Google Ads", "Meta"]);
    await page.getByRole("button", { name: /full analysis as JSON/ }).waitFor();
    const bySource = page.locator('[data-testid="by-source"]');
    await expect.poll(() => bySource.count()).toBe(1);
    const lines = await bySource.locator("tbody tr").allInnerTexts();
    expect(lines).toHaveLength(2);
    // Google: 6 x (120..125) + 6 x (80..85) clicks = 735 + 495 = 1,230; 2 campaigns, 6 days
    expect(lines[0]).toMatch(/^Google Ads\s+1,230\s.*\s2\s+6$/);
    // Meta: 6 x (200..205) + 6 x (150..155) = 1,215 + 915 = 2,130
    expect(lines[1]).toMatch(/^Meta\s+2,130\s.*\s2\s+6$/);
    expect(await bySource.innerText()).toContain("Spend (USD)");
    const brandSources = page.locator("table").filter({ hasText: "Conv. rate, shrunk" }).locator("tr", { hasText: "Brand Search" }).locator('[data-testid="campaign-sources"]');
    expect(await brandSources.first().innerText()).toBe("Google Ads · Meta");
    await screenshot(page, "sources-dataset-1280");

    await sw.getByRole("link", { name: "Meta" }).click();
    await page.waitForURL(/source=meta_ads/);
    await page.locator('[data-testid="source-filter-note"]').waitFor();
    const campaigns = page.locator("table").filter({ hasText: "Conv. rate, shrunk" }).locator("tbody a.campaign-link");
    await expect.poll(async () => (await campaigns.allInnerTexts()).sort()).toEqual(["Brand Search", "Lookalike Prospecting"]);
    expect(await sw.locator('a[aria-current="page"]').innerText()).toBe("Meta");
    // the campaign link keeps the filter
    expect(await campaigns.first().getAttribute("href")).toContain("source=meta_ads");
    await screenshot(page, "sources-meta-1280");

    // the campaign page under the filter: Meta's Brand Search alone (6 days of 200..205 clicks = 1,215)
    await campaigns.filter({ hasText: "Brand Search" }).click();
    await page.waitForURL(/campaigns\/Brand%20Search\?source=meta_ads/);
    const note = page.locator('[data-testid="source-filter-note"]');
    await note.waitFor();
    expect(await note.innerText()).toContain("Showing Meta rows only");
    expect(await page.locator('[data-testid="campaign-verdict"]').innerText()).toContain("1,215 clicks");
    await screenshot(page, "sources-campaign-meta-1280");

    // "Did it work?" under the filter compares Meta's rows alone: before 1-3 March 200 + 201 + 202 clicks, after
    // 203 + 204 + 205 (with Google's too it would be 966 and 981)
    await page.goto(`${baseUrl}/datasets/${id}/campaigns/Brand%20Search?source=meta_ads&change=2026-03-04`);
    const answer = page.locator('[data-testid="did-it-work-answer"]');
    await answer.waitFor();
    const sides = await answer.locator("tbody tr").allInnerTexts();
    expect(sides[0]).toMatch(/^Before\s+3\s+603\s/);
    expect(sides[1]).toMatch(/^After\s+3\s+612\s/);

    // an unknown source is said, not a crash
    await page.goto(`${baseUrl}/datasets/${id}?source=tiktok`);
    // the page says it once the analysis request has answered (it shows "Computing..." until then)
    await page.getByText(/no source "tiktok"/).waitFor();
    expect(await page.locator("body").innerText()).toMatch(/no source "tiktok"\. Its sources: google_ads \(Google Ads\), meta_ads \(Meta\)/);
    const api = await fetch(`${baseUrl}/api/datasets/${id}/analysis?part=summary&source=tiktok`);
    expect(api.status).toBe(400);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("invalid_query");
    expect(s.errors.filter((e) => !e.includes("source=tiktok"))).toEqual([]);
  });

  it("stays legible on a phone: the switch wraps, the By source table scrolls inside its frame", async () => {
    const phone = await openBrowser(chromiumPath, 390);
    try {
      const { page } = phone;
      await page.goto(`${baseUrl}/datasets/${id}?source=meta_ads`);
      // the full analysis has replaced the streamed first part (each shows the table once)
      await page.getByRole("button", { name: /full analysis as JSON/ }).waitFor();
      await expect.poll(() => page.locator('[data-testid="by-source"]').count()).toBe(1);
      // nothing wider than the screen: the page does not scroll sideways
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const box = await page.locator('[data-testid="source-switch"]').boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      expect(await page.locator('[data-testid="campaign-cards"] [data-testid="campaign-sources"]').first().innerText()).toMatch(/Meta/);
      await screenshot(page, "sources-meta-390");
      await page.goto(`${baseUrl}/datasets/${id}`);
      await page.getByRole("button", { name: /full analysis as JSON/ }).waitFor();
      await screenshot(page, "sources-dataset-390");
    } finally {
      await phone.close();
    }
  });
});
