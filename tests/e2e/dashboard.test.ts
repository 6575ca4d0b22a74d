import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fullCampaignTable, openBrowser, screenshot, type Session } from "./browser";

const baseUrl = inject("baseUrl");
const chromiumPath = inject("chromiumPath");

describe.skipIf(!chromiumPath)("the dashboard in a browser", () => {
  let s: Session;
  let sampleId = 0;

  beforeAll(async () => {
    s = await openBrowser(chromiumPath);
    const list = (await (await fetch(`${baseUrl}/api/datasets`)).json()) as {
      datasets: { id: number; kind: string; isSample: boolean }[];
    };
    sampleId = list.datasets.find((d) => d.isSample && d.kind === "observations")?.id ?? 0;
  });

  afterAll(async () => {
    await s?.close();
  });

  it("starts with the sample data loaded and listed on the overview", async () => {
    expect(sampleId).toBeGreaterThan(0);
    await s.page.goto(`${baseUrl}/`);
    await s.page.getByText("Sample shop: 6 campaigns, 180 days").first().waitFor();
    await screenshot(s.page, "overview-1280");
  });

  it("uploads a Google Ads export through the page, with one column remapped, and shows the summary", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/upload`);
    await page.locator('[data-testid="file-input"]').setInputFiles(
      path.resolve(__dirname, "../fixtures/ingest/google_ads_daily.csv"),
    );
    await page.locator('[data-testid="review"]').waitFor();
    expect(await page.locator('[data-testid="review"] h2').innerText()).toContain("Google Ads");
    // The file's "Conv. value" column is read as revenue; the user says to ignore it.
    const revenue = page.locator('[data-testid="map-revenue"]');
    expect(await revenue.inputValue()).toBe("Conv. value");
    await revenue.selectOption("");
    await expect.poll(() => page.locator('[data-testid="preview"] thead').innerText()).not.toContain("Conv. value");
    await screenshot(page, "upload-review-1280");
    await page.locator('[data-testid="confirm-import"]').click();
    const summary = page.locator('[data-testid="import-summary"]');
    await summary.waitFor({ timeout: 30_000 });
    const text = await summary.innerText();
    // The file's sixth row has " --" for conversions, a required figure: it is kept as a rejected row with its reason.
    expect(text).toMatch(/5 rows\s+imported, 1 row could not be read/);
    await screenshot(page, "upload-summary-1280");

    const list = (await (await fetch(`${baseUrl}/api/datasets`)).json()) as {
      datasets: { fileName: string; totals: { revenue: number; clicks: number }; format: string }[];
    };
    const imported = list.datasets.find((d) => d.fileName === "google_ads_daily.csv");
    expect(imported?.format).toBe("google_ads");
    expect(imported?.totals.revenue).toBe(0); // revenue was unmapped
    expect(imported?.totals.clicks).toBeGreaterThan(0);
  });

  it("words a campaign report (one row per campaign) as such, not as a file of ads", async () => {
    const { page } = s;
    const res = await fetch(`${baseUrl}/api/uploads?fileName=google_ads_campaign_report.csv`, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      // without its period line ("1 January 2026 - 31 January 2026"), as some exports come: no dates at all
      body: fs
        .readFileSync(path.resolve(__dirname, "../fixtures/ingest/google_ads_campaign_report.csv"), "utf8")
        .split("\n")
        .filter((line) => !line.includes("January 2026"))
        .join("\n"),
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { datasetId: number }).datasetId;
    await page.goto(`${baseUrl}/datasets/${id}`);
    await (await fullCampaignTable(page)).waitFor();
    expect(await page.locator('[data-testid="across-ads"]').count()).toBe(0);
    expect(await page.locator("main").innerText()).toMatch(/one row per campaign for its whole period/);
    await page.goto(`${baseUrl}/datasets/${id}/campaigns/${encodeURIComponent("Brand Search")}`);
    expect(await page.locator('[data-testid="across-ads"]').innerText()).toMatch(/one row for this campaign/);
    expect(await page.locator('[data-testid="campaign-verdict"]').innerText()).toMatch(/Its one row brought 84 conversions/);
    await page.goto(`${baseUrl}/reports/${id}`);
    await page.locator("main h1").waitFor();
    expect(await page.locator('[data-testid="across-ads"]').count()).toBe(0);
    expect(await page.locator("main").innerText()).toMatch(/one row per campaign for its whole period/);

    // The same report with its period line: one row of 31 days per campaign. Its campaign pages are not daily either:
    // no "Did it work?" (a change date cannot split a row), and the totals are over one row, not "1 day".
    const dated = await fetch(`${baseUrl}/api/uploads?fileName=google_ads_campaign_report_dated.csv`, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: fs.readFileSync(path.resolve(__dirname, "../fixtures/ingest/google_ads_campaign_report.csv")),
    });
    expect(dated.status).toBe(201);
    const datedId = ((await dated.json()) as { datasetId: number }).datasetId;
    await page.goto(`${baseUrl}/datasets/${datedId}/campaigns/${encodeURIComponent("Brand Search")}`);
    expect(await page.locator('[data-testid="across-ads"]').innerText()).toMatch(/one row for this campaign/);
    expect(await page.locator('[data-testid="did-it-work"]').count()).toBe(0);
    // the forecast streams in after the page: wait for it
    await expect.poll(() => page.locator("main").innerText(), { timeout: 30_000 }).toMatch(/spent, \$9,211\.50 revenue over one row/);
  });

  it("opens a campaign and changing the horizon refetches the forecast", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${sampleId}`);
    await (await fullCampaignTable(page)).waitFor();
    await screenshot(page, "dataset-1280");
    await page.getByRole("link", { name: "Brand Search" }).first().click();
    await page.waitForURL(/\/campaigns\//);
    const headline = page.locator('[data-testid="campaign-headline"]');
    await headline.waitFor();
    const weekText = await headline.innerText();
    expect(weekText.toLowerCase()).toContain("week");
    const responded = page.waitForResponse((r) => r.url().includes("/campaigns/") && r.url().includes("horizon=month"));
    await page.getByRole("radio", { name: /Month/ }).check();
    expect((await responded).status()).toBe(200);
    await expect.poll(async () => (await headline.innerText()).toLowerCase()).toContain("month");
    expect(await headline.innerText()).not.toBe(weekText);
    expect(page.url()).toContain("horizon=month");
    await screenshot(page, "campaign-month-1280");
  });

  it("applies a typed budget once typing pauses, keeps it in the address, and says what it cannot read", async () => {
    const { page } = s;
    const box = page.locator('[data-testid="budget-input"]');
    const requests: string[] = [];
    const listen = (r: { url: () => string }) => {
      if (r.url().includes("/campaigns/") && r.url().includes("budget=")) requests.push(r.url());
    };
    page.on("request", listen);
    const responded = page.waitForResponse((r) => r.url().includes("/campaigns/") && r.url().includes("budget=1500"));
    await box.pressSequentially("1500", { delay: 60 }); // keystrokes closer together than the 500 ms pause
    expect((await responded).status()).toBe(200);
    await expect.poll(() => page.url()).toContain("budget=1500");
    expect(page.url()).toContain("horizon=month"); // the other control kept
    expect(requests.filter((u) => /budget=1(5|50)?(&|$)/.test(u))).toEqual([]); // no request for "1", "15", "150"
    page.off("request", listen);
    await box.fill("12abc");
    await page.getByRole("alert").filter({ hasText: /amount|number/i }).waitFor();
    expect(page.url()).toContain("budget=1500"); // an unreadable budget is not applied
    await box.fill("");
  });

  it("exports the campaign table as CSV with the figures on screen, safe for spreadsheets", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${sampleId}`);
    await (await fullCampaignTable(page)).waitFor();
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: /Campaigns.*as CSV/ }).first().click();
    const file = await (await download).path();
    const csv = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]!.toLowerCase()).toContain("campaign");
    expect(lines).toHaveLength(7); // header + 6 campaigns
    expect(csv).toContain("Brand Search");
    // The API's figures for Brand Search appear in the export.
    const api = (await (await fetch(`${baseUrl}/api/datasets/${sampleId}/analysis?horizon=week`)).json()) as {
      campaigns: { campaign: string; clicks: number; conversions: number }[];
    };
    const brand = api.campaigns.find((c) => c.campaign === "Brand Search")!;
    const row = lines.find((l) => l.startsWith("Brand Search") || l.startsWith('"Brand Search"'))!;
    expect(row).toContain(String(brand.clicks));
    expect(row).toContain(String(brand.conversions));
    for (const cell of csv.split(/[,\n]/)) expect(cell).not.toMatch(/^[=+@]/);
  });

  it("renders the printable report and the datasets list", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/reports/${sampleId}`);
    await page.locator('[data-testid="report"]').waitFor();
    await screenshot(page, "report-1280");
    await page.goto(`${baseUrl}/datasets`);
    await page.locator('[data-testid="datasets-table"]').waitFor();
    await screenshot(page, "datasets-1280");
  });

  it("works at phone width (390 px)", async () => {
    const { page } = s;
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [name, url] of [
      ["overview", "/"],
      ["dataset", `/datasets/${sampleId}`],
      ["campaign", `/datasets/${sampleId}/campaigns/${encodeURIComponent("Video Prospecting")}`],
      ["upload", "/upload"],
    ] as const) {
      await page.goto(`${baseUrl}${url}`);
      await page.waitForLoadState("load");
      await screenshot(page, `${name}-390`);
      const overflow = await page.evaluate(() => {
        const wide = [...document.querySelectorAll("body *")]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest(".table-wrap"))
          .slice(0, 3)
          .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
        return { by: document.documentElement.scrollWidth - window.innerWidth, wide };
      });
      expect(overflow.by, `${name} scrolls sideways at 390 px: ${overflow.wide.join(", ")}`).toBeLessThanOrEqual(1);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("answers 404 with the not-found page for a dataset, campaign or report that does not exist", async () => {
    const datasetText = "There is no such dataset or campaign here";
    const reportText = "There is no such dataset to report on";
    const missing = [
      ["/datasets/999999", datasetText],
      ["/datasets/abc", datasetText],
      ["/datasets/0", datasetText],
      [`/datasets/${sampleId}/campaigns/${encodeURIComponent("No Such Campaign")}`, datasetText],
      [`/datasets/${sampleId}/campaigns/${encodeURIComponent("brand search")}`, datasetText], // names match exactly
      [`/datasets/999999/campaigns/${encodeURIComponent("Brand Search")}`, datasetText],
      ["/reports/999999", reportText],
      ["/reports/abc", reportText],
    ] as const;
    const present = [
      `/datasets/${sampleId}`,
      `/datasets/${sampleId}/campaigns/${encodeURIComponent("Brand Search")}`,
      `/reports/${sampleId}`,
    ];

    // The status as a crawler or monitor sees it (no JavaScript).
    for (const url of present) expect((await fetch(`${baseUrl}${url}`)).status, url).toBe(200);
    for (const [url] of missing) expect((await fetch(`${baseUrl}${url}`)).status, url).toBe(404);

    // What a person sees. A page of its own, so these expected 404s stay out of the console-error record below.
    const page = await s.context.newPage();
    try {
      for (const [url, text] of missing) {
        const res = await page.goto(`${baseUrl}${url}`);
        expect(res?.status(), url).toBe(404);
        await page.getByRole("heading", { name: "Not found" }).waitFor();
        expect(await page.locator("main").innerText(), url).toContain(text);
      }
      const res = await page.goto(`${baseUrl}/datasets/${sampleId}`);
      expect(res?.status()).toBe(200);
      await (await fullCampaignTable(page)).waitFor();
      expect(await page.getByRole("heading", { name: "Not found" }).count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it("logged no console errors on any page", () => {
    expect(s.errors).toEqual([]);
  });
});
