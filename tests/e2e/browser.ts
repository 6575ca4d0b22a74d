import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";

/** Chromium flags for this machine: headless, no sandbox (root), and no background traffic to the outside. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const SCREENSHOT_DIR = path.resolve(__dirname, "screenshots");

export interface Session {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  close: () => Promise<void>;
}

/**
 * Launches Debian's chromium and one page that records console errors. playwright gives every launch a fresh,
 * temporary profile (it refuses a --user-data-dir argument), so no state leaks between runs.
 */
export async function openBrowser(executablePath: string, width = 1280): Promise<Session> {
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    // "Failed to load resource" repeats a response error already recorded with its URL below.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${String(e)}`));
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} for ${r.url()} (on ${page.url()})`);
  });
  return {
    browser,
    context,
    page,
    errors,
    close: async () => {
      await browser.close();
    },
  };
}

/** Saves a full-page screenshot under tests/e2e/screenshots/ (gitignored) for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The dataset page's campaign table once the whole analysis is in: the page first streams the table of the summary
 * part (marked aria-busy) and replaces it with the full analysis's, so a test waits for the replacement.
 */
export async function fullCampaignTable(page: Page): Promise<Locator> {
  await page.getByText("Full analysis (JSON)").first().waitFor({ timeout: 60_000 });
  await page.locator('[aria-busy="true"]').first().waitFor({ state: "detached", timeout: 60_000 });
  return page.locator('[data-testid="campaign-table"]');
}
