/**
 * The labs in a browser (the app started by tests/e2e/global-setup.ts with the sample data loaded): moving k lowers
 * the pooled CV and narrows the pooled distribution; rho above 0 draws the floor; the zero-cost switch makes the
 * premium 0; the analogies page shows four panels with figures; the calculator answers and reports bad input; no
 * console errors anywhere. Screenshots go to tests/e2e/screenshots/ (gitignored) at 1280 and 390 px wide.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CHROMIUM_ARGS, SCREENSHOT_DIR } from "./browser";

const baseUrl = inject("baseUrl");
const chromiumPath = inject("chromiumPath");

/** A number kept in a figure's data-value attribute (NaN when absent). */
async function valueOf(l: Locator): Promise<number> {
  return Number(await l.getAttribute("data-value"));
}

/** Sets a range input as a drag would end (fill dispatches the input event React listens to). */
async function slide(page: Page, testId: string, value: number): Promise<void> {
  await page.locator(`[data-testid="${testId}"]`).fill(String(value));
}

describe.skipIf(!chromiumPath)("the labs in a browser", () => {
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  /** Console errors, page errors and failed responses not expected by a test. */
  const errors: string[] = [];
  /** Responses a test provokes on purpose (e.g. the calculator's message for a bad input). */
  const expected: RegExp[] = [];

  const shoot = async (name: string) => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    profile = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-labs-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`${page.url()}: ${String(e)}`));
    page.on("response", (r) => {
      if (r.status() >= 400 && !expected.some((re) => re.test(r.url()))) errors.push(`${r.status()} for ${r.url()} (on ${page.url()})`);
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it("pooling: a larger k lowers the shown CV and narrows the pooled middle 90%", async () => {
    await page.goto(`${baseUrl}/pooling`);
    const cv = page.locator('[data-testid="pooled-cv"]');
    const width = page.locator('[data-testid="pooled-width90"]');
    await cv.waitFor();
    expect(await page.locator('[data-testid="pool-sentence"]').innerText()).toMatch(/pool of|No pool size|already/);
    const cv20 = await valueOf(cv);
    const width20 = await valueOf(width);
    expect(cv20).toBeGreaterThan(0);
    // The exact lattices at k = 1, 3, ..., 1000 arrive apart and land on the chart as dots (plus the k marker).
    await expect
      .poll(() => page.locator('[data-testid="cv-curve-chart"] circle').count(), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(8);
    await shoot("pooling-1280");

    await slide(page, "k-slider", 200); // k = 10^2 = 100
    await expect.poll(() => valueOf(cv), { timeout: 30_000 }).toBeLessThan(cv20);
    expect(await valueOf(width)).toBeLessThan(width20);
    expect(await page.locator('[data-testid="pooled-cv"] .label').innerText()).toMatch(/pool of 100/i);
  });

  it("pooling: rho above zero draws the floor line and its figure; rho 0 removes them", async () => {
    await slide(page, "rho-slider", 0);
    const floor = page.locator('[data-testid="cv-floor"]');
    await expect.poll(() => valueOf(floor), { timeout: 30_000 }).toBe(0);
    expect(await page.locator('[data-testid="cv-floor-line"]').count()).toBe(0);
    expect(await floor.locator(".value").innerText()).toBe("none");

    await slide(page, "rho-slider", 0.2);
    await expect.poll(() => valueOf(floor), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.locator('[data-testid="cv-floor-line"]').waitFor({ state: "attached" });
    const cv1 = await valueOf(page.locator('[data-testid="solo-cv"]'));
    // The floor is CV_1 sqrt(rho) with CV_1 in closed form; the exact solo lattice agrees within 1%.
    expect(Math.abs((await valueOf(floor)) / (cv1 * Math.sqrt(0.2)) - 1)).toBeLessThan(0.01);
    expect(await floor.locator(".value").innerText()).toMatch(/%$/);
  });

  it("collar: the zero-cost switch makes the premium 0", async () => {
    await page.goto(`${baseUrl}/collar`);
    const premium = page.locator('[data-testid="collar-premium"]');
    await premium.waitFor();
    const zeroCost = page.locator('[data-testid="zero-cost-switch"]');
    expect(await zeroCost.isChecked()).toBe(true);
    const mean = await valueOf(page.locator('[data-testid="collar-mean-given-up"]'));
    expect(Math.abs(mean)).toBeLessThan(1e-3);
    expect(Math.abs(await valueOf(premium))).toBeLessThan(1e-6 * 1e4);
    await page.locator('[data-testid="atom-floor"]').first().waitFor();
    await shoot("collar-1280");

    await zeroCost.uncheck();
    const capSlider = page.locator('[data-testid="cap-slider"]');
    await expect.poll(() => capSlider.isEnabled()).toBe(true);
    const max = Number(await capSlider.getAttribute("max"));
    await slide(page, "cap-slider", max);
    await expect.poll(async () => Math.abs(await valueOf(premium)), { timeout: 30_000 }).toBeGreaterThan(0.01);
    expect(await premium.locator(".value").innerText()).not.toBe("$0.00");

    await zeroCost.check();
    await expect.poll(async () => Math.abs(await valueOf(premium)), { timeout: 30_000 }).toBeLessThan(1e-6 * 1e4);
    expect(await premium.locator(".value").innerText()).toBe("$0.00");
  });

  it("analogies: four panels, each with its chart and figures", async () => {
    await page.goto(`${baseUrl}/analogies`);
    const panels = page.locator('[data-testid="analogy-panel"]');
    await panels.first().waitFor();
    expect(await panels.count()).toBe(4);
    const ids = await panels.evaluateAll((els) => els.map((e) => e.getAttribute("data-panel")));
    expect(ids).toEqual(["latency", "pooling", "coins", "collar"]);
    for (let i = 0; i < 4; i++) {
      const p = panels.nth(i);
      expect(await p.locator("svg[role=img]").count()).toBeGreaterThan(0);
      expect(await p.locator('[data-testid="analogy-figures"] tbody tr').count()).toBeGreaterThanOrEqual(2);
      expect(await p.locator("figcaption").innerText()).toMatch(/\d/);
      // The markers' labels above each chart (means, quantiles, worst-5% averages) never overlap one another.
      const boxes = await p.locator("svg[role=img] text").evaluateAll((els) =>
        els
          .filter((e) => /mean|quantile|average|p99/.test(e.textContent ?? ""))
          .map((e) => {
            const r = e.getBoundingClientRect();
            return { text: e.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom };
          }),
      );
      expect(boxes.length).toBeGreaterThanOrEqual(2);
      for (let a = 0; a < boxes.length; a++) {
        for (let b = a + 1; b < boxes.length; b++) {
          const [x, y] = [boxes[a]!, boxes[b]!];
          const overlap = x.l < y.r - 1 && y.l < x.r - 1 && x.t < y.b - 1 && y.t < x.b - 1;
          expect(overlap, `"${x.text}" drawn over "${y.text}"`).toBe(false);
        }
      }
    }
    await shoot("analogies-1280");
  });

  it("calculator: figures for the default model, and the API's message for a bad input", async () => {
    await page.goto(`${baseUrl}/calculator`);
    const mean = page.locator('[data-testid="calc-mean"]');
    await mean.waitFor();
    // Poisson(8) x lognormal(4, 0.8): E[S] = 8 e^(4 + 0.32) = 601.5 (lattice within 0.1%).
    expect(Math.abs((await valueOf(mean)) / (8 * Math.exp(4.32)) - 1)).toBeLessThan(1e-3);
    // Its lattice sd matches the closed form: no note beside it.
    expect(await page.locator('[data-testid="calc-sd"] .th-sub').count()).toBe(0);
    await shoot("calculator-1280");
    // Poisson(1000) x lognormal(0, 3) from a shared link: the lattice's sd misses the orders past its end, and the row
    // says so with the model's closed form, sqrt(1000) e^9 = 256,242 (the lattice's is 5.2% below it).
    const heavy = { frequency: { kind: "poisson", lambda: 1000 }, severity: { kind: "lognormal", mu: 0, sigma: 3 } };
    await page.goto(`${baseUrl}/calculator?spec=${Buffer.from(JSON.stringify(heavy)).toString("base64url")}`);
    const sd = page.locator('[data-testid="calc-sd"]');
    await sd.waitFor();
    const ratio = (await valueOf(sd)) / (Math.sqrt(1000) * Math.exp(9));
    expect(ratio).toBeGreaterThan(0.92);
    expect(ratio).toBeLessThan(0.97);
    expect(await sd.locator(".th-sub").innerText()).toMatch(/closed form is 256,2\d\d/);
    await page.goto(`${baseUrl}/calculator`);
    await mean.waitFor();
    expected.push(/\/api\/model(\/distribution)?$/);
    await page.locator('[data-testid="freq-lambda"]').fill("-3");
    const error = page.locator('[data-testid="calc-error"]');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.innerText()).toContain("frequency.lambda");
    expect(page.url()).toContain("spec=");
    expected.pop();
  });

  it("lays the labs out at 390 px wide", async () => {
    await page.setViewportSize({ width: 390, height: 900 });
    for (const name of ["pooling", "collar", "analogies", "calculator"]) {
      await page.goto(`${baseUrl}/${name}`);
      await page.locator("main h1").waitFor();
      await page.waitForLoadState("networkidle");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(1);
      await shoot(`${name}-390`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("logs no console errors on any lab page", () => {
    expect(errors).toEqual([]);
  });
});
