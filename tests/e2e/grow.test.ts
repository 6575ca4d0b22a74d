import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openBrowser, screenshot, type Session } from "./browser";

const baseUrl = inject("baseUrl");
const chromiumPath = inject("chromiumPath");

const HEADER = "date,campaign,impressions,clicks,conversions,spend,revenue\n";
// the first export: 03-01..03-03; the newer one re-states 03-03 (2 more sales) and adds 03-04
const FIRST = `${HEADER}2026-03-01,Grow Search,1000,100,3,50.00,120.00\n2026-03-02,Grow Search,1000,110,2,55.00,80.00\n2026-03-03,Grow Search,1000,90,1,45.00,40.00\n`;
const NEWER = `${HEADER}2026-03-03,Grow Search,1000,90,3,45.00,120.00\n2026-03-04,Grow Search,1000,95,2,47.50,80.00\n`;

describe.skipIf(!chromiumPath)("a dataset that grows, on its page", () => {
  let s: Session;
  let id = 0;
  let dir = "";

  beforeAll(async () => {
    s = await openBrowser(chromiumPath);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-e2e-grow-"));
    const res = await fetch(`${baseUrl}/api/uploads?fileName=week-9.csv&name=Growing%20shop`, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: FIRST,
    });
    expect(res.status).toBe(201);
    id = ((await res.json()) as { datasetId: number }).datasetId;
  });

  afterAll(async () => {
    await s?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("adds a newer export from the dataset page, shows what it changed, and removes it again", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${id}`);
    const panel = page.locator('[data-testid="dataset-uploads"]');
    await panel.waitFor();
    expect(await panel.locator("tbody tr").count()).toBe(1);

    await panel.locator('[data-testid="add-newer-export"]').click();
    await page.waitForURL(`**/upload?into=${id}`);
    expect(await page.locator("h1").innerText()).toBe("Add a newer export to Growing shop");
    const file = path.join(dir, "week-10.csv");
    fs.writeFileSync(file, NEWER);
    await page.locator('[data-testid="file-input"]').setInputFiles(file);
    await page.locator('[data-testid="import-into"]').waitFor();
    await screenshot(page, "grow-review-into-1280");
    await page.locator('[data-testid="confirm-import"]').click();
    const change = page.locator('[data-testid="upload-change"]');
    await change.waitFor();
    expect(await change.innerText()).toMatch(/1 row added, 1 row replaced/);
    // rows 3 -> 4; conversions 6 -> 3 + 2 + 3 + 2 = 10
    expect(await change.locator("tbody tr").first().innerText()).toMatch(/Rows\s+3\s+4/);
    expect(await change.locator("tbody tr").nth(2).innerText()).toMatch(/Conversions\s+6(\.00)?\s+10(\.00)?/);
    await screenshot(page, "grow-summary-1280");

    await page.goto(`${baseUrl}/datasets/${id}`);
    await panel.waitFor();
    const rows = panel.locator("tbody tr");
    expect(await rows.count()).toBe(2);
    expect(await rows.first().innerText()).toContain("week-10.csv");
    await screenshot(page, "grow-dataset-uploads-1280");
    await rows.first().getByRole("button", { name: /Remove the upload/ }).click();
    await rows.first().getByRole("button", { name: "Yes, remove" }).click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    expect(await rows.first().innerText()).toContain("week-9.csv");
    expect(await page.locator('[data-testid="dataset-meta"]').innerText()).toContain("(3 days)");
  });

  it("deletes the dataset from its page after the confirmation step, and goes to the list", async () => {
    const { page } = s;
    await page.goto(`${baseUrl}/datasets/${id}`);
    const start = page.getByRole("button", { name: "Delete Growing shop" }).first();
    await start.click();
    const question = page.getByRole("group", { name: "Delete “Growing shop” and its rows?" });
    await question.waitFor();
    // Cancel changes nothing
    await question.getByRole("button", { name: "Cancel" }).click();
    expect((await fetch(`${baseUrl}/api/datasets/${id}`)).status).toBe(200);
    await start.click();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await page.waitForURL("**/datasets");
    expect((await fetch(`${baseUrl}/api/datasets/${id}`)).status).toBe(404);
    expect(await page.locator("main").innerText()).not.toContain("Growing shop");
  });
});
