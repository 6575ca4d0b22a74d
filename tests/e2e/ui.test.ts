/**
 * What a person sees, in a browser (the app started by tests/e2e/global-setup.ts with the sample data loaded):
 * an analyst's sheet whose headers nothing recognises goes through the mapping editor, survives a failed import
 * with its mapping on screen, imports, and shows its totals on the dataset page; the campaign table puts the verdict
 * first; and no page scrolls sideways at 390 px. Screenshots of every page at 1280 and 390 px go to
 * $NOISEFLOOR_SCREENSHOTS (default: <tmp>/noisefloor-screens), outside the repository.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seededRandom } from "@/lib/engine/estimate/rng";
import { fullCampaignTable, openBrowser, type Session } from "./browser";

const baseUrl = inject("baseUrl");
const chromiumPath = inject("chromiumPath");
const SHOTS = process.env.NOISEFLOOR_SCREENSHOTS ?? path.join(os.tmpdir(), "noisefloor-screens");

/** A long name with no spaces: the kind that used to push pages to 400-580 px at phone width. */
const LONG_NAME = "Analyst_sheet_export_2026_Q1_display_campaigns_by_banner_and_placement_final_v3";

interface Row {
  date: string;
  campaign: string;
  displays: number;
  clicks: number;
  cost: number;
  conversions: number;
  sales: number;
}

/**
 * An analyst's sheet: its own header names (none of the recognised ones for date, campaign, impressions, spend,
 * conversions), a column named `revenue` that is something else, 3 campaigns x 21 days from a seeded generator.
 */
function analystSheet(): { csv: string; rows: Row[] } {
  const rand = seededRandom(20260302);
  const rows: Row[] = [];
  for (let d = 1; d <= 21; d++) {
    for (const campaign of ["C-101 Spring banners", "C-102 Retargeting", "C-103 Placement test"]) {
      const displays = 4000 + Math.floor(rand() * 6000);
      const clicks = 40 + Math.floor(rand() * 120);
      const conversions = Math.floor(rand() * 9);
      const cost = Math.round((30 + rand() * 90) * 100) / 100;
      const sales = Math.round(conversions * (20 + rand() * 60) * 100) / 100;
      rows.push({ date: `2026-03-${String(d).padStart(2, "0")}`, campaign, displays, clicks, cost, conversions, sales });
    }
  }
  const header = "report_date,campaign_number,banner,displays,clicks,cost,post_click_conversions,post_click_sales_amount,revenue";
  const lines = rows.map(
    (r, i) =>
      `${r.date},${r.campaign},banner-${i % 4},${r.displays},${r.clicks},${r.cost.toFixed(2)},${r.conversions},${r.sales.toFixed(2)},${(i % 7) * 3}`,
  );
  return { csv: `${header}\n${lines.join("\n")}\n`, rows };
}

/** The mapping a person chooses in the editor: field -> the sheet's header. */
const MAPPING = {
  date: "report_date",
  campaign: "campaign_number",
  impressions: "displays",
  clicks: "clicks",
  conversions: "post_click_conversions",
  spend: "cost",
  revenue: "post_click_sales_amount",
} as const;

/** A figure printed on the page ("1,234.5", "–") as a number. */
const parseFigure = (text: string) => Number(text.replace(/[^0-9.-]/g, ""));

describe.skipIf(!chromiumPath)("what a person sees", () => {
  let s: Session;
  let sheetPath = "";
  let sheet: ReturnType<typeof analystSheet>;
  let datasetId = 0;
  let sampleId = 0;
  /** Responses a test provokes on purpose: the preview's refusal of headers it does not know (it names them, and
   * opens the mapping editor), and the stubbed failed import. */
  const provoked: RegExp[] = [/^422 for \S+\/api\/uploads\?fileName=analyst-sheet\.csv&/];

  const shoot = async (page: Page, name: string) => {
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    s = await openBrowser(chromiumPath);
    sheet = analystSheet();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-ui-"));
    sheetPath = path.join(dir, "analyst-sheet.csv");
    fs.writeFileSync(sheetPath, sheet.csv);
    const list = (await (await fetch(`${baseUrl}/api/datasets`)).json()) as { datasets: { id: number; kind: string; isSample: boolean }[] };
    sampleId = list.datasets.find((d) => d.isSample && d.kind === "observations")?.id ?? 0;
  });

  afterAll(async () => {
    await s?.close();
    if (sheetPath) fs.rmSync(path.dirname(sheetPath), { recursive: true, force: true });
  });

  it("maps an unrecognised sheet column by column, keeps the mapping through a failed import, and imports it", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/upload`);
    await page.locator('[data-testid="file-input"]').setInputFiles(sheetPath);
    const editor = page.locator('[data-testid="needs-mapping"]');
    await editor.waitFor();
    await shoot(page, "upload-mapping-editor-1280");
    // The editor starts from guesses made from the column names; the sheet's "revenue" is something else, which the
    // person corrects below.
    const guessed = { ...MAPPING, revenue: "revenue" };
    for (const [field, header] of Object.entries(guessed)) {
      expect(await page.locator(`[data-testid="needs-map-${field}"]`).inputValue(), field).toBe(header);
    }
    expect(await editor.innerText()).toMatch(/guesses from their names/);
    for (const [field, header] of Object.entries(MAPPING)) {
      await page.locator(`[data-testid="needs-map-${field}"]`).selectOption(header);
    }
    await page.locator('[data-testid="preview-mapping"]').click();
    const review = page.locator('[data-testid="review"]');
    await review.waitFor();
    // The review's selects show the chosen columns, and the preview reads them.
    for (const [field, header] of Object.entries(MAPPING)) {
      expect(await page.locator(`[data-testid="map-${field}"]`).inputValue(), field).toBe(header);
    }
    const previewHead = await page.locator('[data-testid="preview"] thead').innerText();
    expect(previewHead).toContain("post_click_sales_amount");
    expect(await page.locator('[data-testid="preview"] tbody tr').first().innerText()).toContain("2026-03-01");
    // The sheet names no currency, so the review offers one (left unstated here: amounts print without a sign).
    const currency = page.locator('[data-testid="import-currency"]');
    expect(await currency.isVisible()).toBe(true);
    expect(await currency.inputValue()).toBe("");
    expect(await currency.locator("option").count()).toBeGreaterThan(10);
    const name = review.getByLabel("Dataset name");
    await name.fill(LONG_NAME);
    await shoot(page, "upload-review-mapped-1280");

    // The first import fails (a server error, stubbed): the file, the mapping and the name stay on screen.
    provoked.push(/^500 for \S+\/api\/uploads\/[0-9a-f]+\/import /);
    let sentBody: Record<string, unknown> | null = null;
    await page.route("**/api/uploads/*/import", async (route) => {
      sentBody = route.request().postDataJSON() as Record<string, unknown>;
      await route.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: { code: "internal", message: "Something went wrong on our side." } }) });
    });
    await page.locator('[data-testid="confirm-import"]').click();
    await page.locator('[data-testid="import-error"]').waitFor();
    await page.unroute("**/api/uploads/*/import");
    expect(sentBody).not.toBeNull();
    // Import sends the mapping it was previewed with (it used to send none, and the server answered 422).
    expect((sentBody as unknown as { mapping: Record<string, string> }).mapping).toMatchObject(MAPPING);
    expect(await review.isVisible()).toBe(true);
    for (const [field, header] of Object.entries(MAPPING)) {
      expect(await page.locator(`[data-testid="map-${field}"]`).inputValue(), field).toBe(header);
    }
    expect(await name.inputValue()).toBe(LONG_NAME);
    await shoot(page, "upload-import-error-1280");

    // Again, for real.
    await page.locator('[data-testid="confirm-import"]').click();
    const summary = page.locator('[data-testid="import-summary"]');
    await summary.waitFor({ timeout: 60_000 });
    expect(await summary.innerText()).toMatch(/63 rows\s+imported, none rejected/);
    await shoot(page, "upload-summary-mapped-1280");
    await page.getByRole("link", { name: "Open the dataset" }).click();
    await page.waitForURL(/\/datasets\/\d+/);
    datasetId = Number(/\/datasets\/(\d+)/.exec(page.url())?.[1]);
    expect(datasetId).toBeGreaterThan(0);
  });

  it("shows the imported totals of every campaign on the dataset page, the verdict first", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${datasetId}`);
    const table = await fullCampaignTable(page);
    await table.waitFor();
    await shoot(page, "dataset-mapped-1280");
    const heads = await table.locator("thead th").allInnerTexts();
    expect(heads[0]).toMatch(/^Campaign/);
    expect(heads[1]).toMatch(/^Verdict/);
    for (const campaign of ["C-101 Spring banners", "C-102 Retargeting", "C-103 Placement test"]) {
      const mine = sheet.rows.filter((r) => r.campaign === campaign);
      const sum = (f: (r: Row) => number) => mine.reduce((a, r) => a + f(r), 0);
      const row = table.locator("tbody tr").filter({ has: page.getByRole("link", { name: campaign, exact: true }) });
      const cell = async (col: string) => parseFigure(await row.locator(`td[data-col="${col}"]`).innerText());
      // Whole counts print exactly; spend prints to the cent (tolerance half a cent).
      expect(await cell("units"), campaign).toBe(21);
      expect(await cell("clicks"), campaign).toBe(sum((r) => r.clicks));
      expect(await cell("conversions"), campaign).toBe(sum((r) => r.conversions));
      expect(Math.abs((await cell("spend")) - sum((r) => r.cost)), campaign).toBeLessThanOrEqual(0.005);
      expect(await row.locator('td[data-col="verdict"] .badge').count()).toBe(1);
    }
    // The dataset's own totals, as the API reports them, match the sheet too.
    const ds = (await (await fetch(`${baseUrl}/api/datasets/${datasetId}`)).json()) as {
      dataset?: { totals: Record<string, number> };
      totals?: Record<string, number>;
    };
    const totals = ds.dataset?.totals ?? ds.totals ?? {};
    const all = (f: (r: Row) => number) => sheet.rows.reduce((a, r) => a + f(r), 0);
    expect(totals.impressions).toBe(all((r) => r.displays));
    expect(Math.abs((totals.revenue ?? NaN) - all((r) => r.sales))).toBeLessThan(0.005);
  });

  it("no page scrolls sideways at 390 px; every page photographed at 1280 and 390 px", async () => {
    const { page } = s;
    const campaign = encodeURIComponent("C-101 Spring banners");
    const pages: [string, string][] = [
      ["home", "/"],
      ["upload", "/upload"],
      ["datasets", "/datasets"],
      ["dataset-sample", `/datasets/${sampleId}`],
      ["dataset-mapped", `/datasets/${datasetId}`],
      ["campaign", `/datasets/${sampleId}/campaigns/${encodeURIComponent("Brand Search")}`],
      ["campaign-mapped", `/datasets/${datasetId}/campaigns/${campaign}`],
      ["report", `/reports/${datasetId}`],
      ["pooling", "/pooling"],
      ["collar", "/collar"],
      ["calculator", "/calculator"],
      ["analogies", "/analogies"],
    ];
    const wide: string[] = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      for (const [name, url] of pages) {
        await page.goto(`${baseUrl}${url}`);
        await page.waitForLoadState("networkidle");
        await shoot(page, `${name}-${width}`);
        if (width !== 390) continue;
        const m = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          culprits: [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > 391 && !el.closest(".table-wrap"))
            .slice(0, 3)
            .map((el) => `${el.tagName.toLowerCase()}.${String(el.className)}`),
        }));
        if (m.scrollWidth > 390) wide.push(`${name} (${url}): ${m.scrollWidth} px; ${m.culprits.join(", ")}`);
      }
    }
    // The mapping editor, too.
    await page.goto(`${baseUrl}/upload`);
    await page.locator('[data-testid="file-input"]').setInputFiles(sheetPath);
    await page.locator('[data-testid="needs-mapping"]').waitFor();
    await shoot(page, "upload-mapping-editor-390");
    const editorWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    if (editorWidth > 390) wide.push(`mapping editor: ${editorWidth} px`);
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(wide).toEqual([]);
  });

  it("shows a card per campaign, verdict first, on a phone", async () => {
    const { page } = s;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/datasets/${sampleId}`);
    // the summary's cards are replaced by the full analysis's: count once the replacement is in
    await fullCampaignTable(page);
    const cards = page.locator('[data-testid="campaign-cards"] > li');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(6);
    expect(await page.locator('[data-testid="campaign-table"]').isVisible()).toBe(false);
    const first = cards.first();
    // The badge comes before any figure.
    const text = await first.innerText();
    expect(text.search(/within noise|better than noise|worse than noise/)).toBeLessThan(text.search(/Spent/));
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("logged no console errors or unexpected failed responses", () => {
    expect(s.errors.filter((e) => !provoked.some((re) => re.test(e)))).toEqual([]);
  });
});
