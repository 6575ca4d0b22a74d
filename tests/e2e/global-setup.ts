import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    chromiumPath: string;
    dataDir: string;
  }
}

const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitFor(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the server did not answer ${url} within ${timeoutMs} ms`);
}

let server: ChildProcess | undefined;
let dataDir = "";

/**
 * Starts the real app (`npm start`'s code path: build if needed, migrate, load the sample data, `next start`) on a
 * free loopback port with a temporary database, and provides its URL. Browser tests are skipped when no chromium
 * is installed, unless NOISEFLOOR_REQUIRE_BROWSER=1 (CI), where a missing chromium fails the run.
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

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-e2e-"));
  const port = await freePort();
  const root = path.resolve(__dirname, "../..");
  server = spawn(
    path.join(root, "node_modules", ".bin", "tsx"),
    ["--conditions=react-server", "lib/cli/start.ts"],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        PORT: String(port),
        DATABASE_PATH: path.join(dataDir, "e2e.db"),
        SAMPLE_DATA: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  const log = fs.createWriteStream(path.join(dataDir, "server.log"));
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${baseUrl}/api/datasets`, server, 280_000);
  } catch (e) {
    const tail = fs.existsSync(path.join(dataDir, "server.log"))
      ? fs.readFileSync(path.join(dataDir, "server.log"), "utf8").slice(-4000)
      : "";
    stop();
    throw new Error(`${(e as Error).message}\n--- server log ---\n${tail}`);
  }
  project.provide("baseUrl", baseUrl);
  project.provide("chromiumPath", chromiumPath);
  project.provide("dataDir", dataDir);
  return async () => {
    stop();
  };
}

function stop(): void {
  if (server?.pid && server.exitCode === null) {
    try {
      process.kill(-server.pid, "SIGTERM"); // the start script and the `next start` it spawned (same group)
    } catch {
      // already gone
    }
  }
  server = undefined;
}
