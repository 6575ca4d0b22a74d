import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { fullCampaignTable, openBrowser, screenshot, SCREENSHOT_DIR, type Session } from "./browser";

const baseUrl = inject("baseUrl");
/** A saved change's line on the daily chart (recharts draws its label in a layer of labels above the chart). */
const CHANGE_LINE = ".recharts-reference-line.change-marker-line";
const chromiumPath = inject("chromiumPath");

/** The "Did it work?" panel of a campaign page and the flags line of the dataset page, on the sample data. */
describe.skipIf(!chromiumPath)("did it work? in a browser", () => {
  let s: Session;
  let sampleId = 0;

  beforeAll(async () => {
    s = await openBrowser(chromiumPath);
    const list = (await (await fetch(`${baseUrl}/api/datasets`)).json()) as { datasets: { id: number; kind: string; isSample: boolean }[] };
    sampleId = list.datasets.find((d) => d.isSample && d.kind === "observations")?.id ?? 0;
  });

  afterAll(async () => {
    await s?.close();
  });

  it("says on the dataset page how many flags chance explains", async () => {
    await s.page.goto(`${baseUrl}/datasets/${sampleId}`);
    await fullCampaignTable(s.page);
    const text = await s.page.locator('[data-testid="flags-fdr"]').innerText();
    expect(text).toMatch(/noise alone would flag about/);
  });

  it("answers for a change date typed into the campaign page, and keeps it in the URL", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${sampleId}/campaigns/${encodeURIComponent("Brand Search")}`);
    await page.locator('[data-testid="did-it-work"]').waitFor();
    // typed before hydration, the date would be reset by React (and the required field then blocks the submit)
    await page.locator('form[data-hydrated="true"]').waitFor();
    await page.locator('[data-testid="change-date"]').fill("2026-05-01");
    await page.getByRole("button", { name: "Did it work?" }).click();
    const answer = page.locator('[data-testid="did-it-work-answer"]');
    await answer.waitFor({ timeout: 60_000 });
    const text = await answer.innerText();
    expect(text).toContain("The chance that it really rose is");
    expect(text).toContain("How long to wait");
    expect(page.url()).toContain("change=2026-05-01");
    await answer.scrollIntoViewIfNeeded();
    await screenshot(page, "did-it-work-1280");

    // the same answer as the API's
    const api = (await (await fetch(`${baseUrl}/api/datasets/${sampleId}/compare?campaign=Brand%20Search&changeDate=2026-05-01`)).json()) as {
      after: { conversions: number };
    };
    expect(text).toContain(api.after.conversions.toLocaleString("en-US"));
    expect(s.errors).toEqual([]);
  });

  it("saves a change with a note, lists it after a reload, draws it on the chart, answers for it, and removes it", async () => {
    const { page } = s;
    const campaignUrl = `${baseUrl}/datasets/${sampleId}/campaigns/${encodeURIComponent("Generic Search - Running Shoes")}`;
    await page.goto(`${campaignUrl}?change=2026-06-01`);
    const panel = page.locator('[data-testid="did-it-work"]');
    await panel.locator('[data-testid="did-it-work-answer"]').waitFor({ timeout: 60_000 });
    await expect.poll(() => panel.locator('[data-testid="saved-change"]').count()).toBe(0);
    await page.locator('[data-testid="change-note"]').fill("New ad copy and higher bids");
    await page.getByRole("button", { name: "Save this change" }).click();
    // the list follows the mutation (its query is invalidated), before any reload
    await panel.locator('[data-testid="saved-change"]').first().waitFor();
    expect(await panel.locator('[data-testid="saved-change"]').first().innerText()).toContain("New ad copy and higher bids");

    // after a reload, without ?change: listed, and on the daily chart as a labelled line
    await page.goto(campaignUrl);
    const item = panel.locator('[data-testid="saved-change"]');
    await item.first().waitFor();
    expect(await item.count()).toBe(1);
    const itemText = await item.first().innerText();
    expect(itemText).toMatch(/Jun 1, 2026|1 Jun 2026|2026-06-01/);
    expect(itemText).toContain("New ad copy and higher bids");
    const chart = page.locator(CHANGE_LINE);
    await expect.poll(() => chart.count()).toBe(1);
    expect(await page.locator("svg text", { hasText: "New ad copy and" }).count()).toBe(1);
    await shot(page.locator(".chart-frame", { has: page.locator(CHANGE_LINE) }), "did-it-work-saved-chart-1280");
    await noHorizontalOverflow(page);

    // its answer, from the list's link
    await item.first().locator('[data-testid="saved-change-answer"]').click();
    const answer = panel.locator('[data-testid="did-it-work-answer"]');
    await answer.waitFor({ timeout: 60_000 });
    expect(page.url()).toContain("change=2026-06-01");
    expect(await answer.innerText()).toContain("The chance that it really rose is");
    // the date field follows the link's date (the form starts again for the new date)
    expect(await page.locator('[data-testid="change-date"]').inputValue()).toBe("2026-06-01");
    await shot(panel, "did-it-work-saved-1280");

    // a phone: legible, and nothing wider than the screen
    const phone = await openBrowser(chromiumPath, 390);
    try {
      await phone.page.goto(`${campaignUrl}?change=2026-06-01`);
      const phonePanel = phone.page.locator('[data-testid="did-it-work"]');
      await phonePanel.locator('[data-testid="did-it-work-answer"]').waitFor({ timeout: 60_000 });
      await phonePanel.locator('[data-testid="saved-change"]').first().waitFor();
      await noHorizontalOverflow(phone.page);
      await shot(phone.page.locator(".chart-frame", { has: phone.page.locator(CHANGE_LINE) }), "did-it-work-saved-chart-390");
      await shot(phonePanel, "did-it-work-saved-390");
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.close();
    }

    // remove it: gone from the list and the chart, and from the API
    await item.first().locator('[data-testid="remove-change"]').click();
    await expect.poll(() => panel.locator('[data-testid="saved-change"]').count()).toBe(0);
    await expect.poll(() => page.locator(CHANGE_LINE).count()).toBe(0);
    const api = (await (await fetch(`${baseUrl}/api/datasets/${sampleId}/changes?campaign=${encodeURIComponent("Generic Search - Running Shoes")}`)).json()) as {
      changes: unknown[];
    };
    expect(api.changes).toEqual([]);
    expect(s.errors).toEqual([]);
  });

  it("explains a date outside the campaign's days instead of failing", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${sampleId}/campaigns/${encodeURIComponent("Brand Search")}?change=2020-01-01`);
    const warn = page.locator('[data-testid="did-it-work"] .alert');
    await warn.waitFor();
    expect(await warn.innerText()).toContain("No days before 2020-01-01");
  });
});

/** The page is no wider than its viewport (no sideways scrolling on a phone). */
async function noHorizontalOverflow(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

/** A screenshot of one element (a chart, a panel) under tests/e2e/screenshots/, for a person to look at. */
async function shot(locator: Locator, name: string): Promise<void> {
  await locator.first().scrollIntoViewIfNeeded();
  await locator.first().screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}
