import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fullCampaignTable, openBrowser, screenshot, type Session } from "./browser";

const baseUrl = inject("baseUrl");
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

  it("explains a date outside the campaign's days instead of failing", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${sampleId}/campaigns/${encodeURIComponent("Brand Search")}?change=2020-01-01`);
    const warn = page.locator('[data-testid="did-it-work"] .alert');
    await warn.waitFor();
    expect(await warn.innerText()).toContain("No days before 2020-01-01");
  });
});
