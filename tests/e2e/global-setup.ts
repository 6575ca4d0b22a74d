import fs from "node:fs";
import type { TestProject } from "vitest/node";
import "vitest";
import { startServer, type RunningServer } from "../support/server";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    chromiumPath: string;
    dataDir: string;
  }
}

const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/**
 * Starts the real app (`npm start`'s code path) on a free loopback port with a temporary database and provides its
 * URL. Browser tests are skipped when no chromium is installed, unless NOISEFLOOR_REQUIRE_BROWSER=1 (CI), where a
 * missing chromium fails the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const chromiumPath = CHROMIUM_CANDIDATES.find((p) => fs.existsSync(p)) ?? "";
  if (!chromiumPath && process.env.NOISEFLOOR_REQUIRE_BROWSER === "1") {
    throw new Error("Browser tests are required but chromium is not installed (apt-get install -y chromium).");
  }
  project.provide("chromiumPath", chromiumPath);
  if (!chromiumPath) {
    project.provide("baseUrl", "");
    project.provide("dataDir", "");
    return async () => {};
  }
  const server: RunningServer = await startServer();
  project.provide("baseUrl", server.baseUrl);
  project.provide("dataDir", server.dataDir);
  return async () => server.stop();
}
