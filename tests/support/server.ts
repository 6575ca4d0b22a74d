import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** A free TCP port on loopback. */
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

export interface RunningServer {
  baseUrl: string;
  dataDir: string;
  logFile: string;
  stop: () => void;
}

/**
 * Starts the app the way `npm start` does (build if needed, migrate, load the sample data, `next start`) on a free
 * loopback port with a temporary database; `env` adds or overrides settings (e.g. WORKER_THREADS). `stop()` ends
 * exactly the process group it started.
 */
export async function startServer(
  opts: { timeoutMs?: number; sample?: boolean; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  const root = path.resolve(__dirname, "../..");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-srv-"));
  const port = await freePort();
  const logFile = path.join(dataDir, "server.log");
  const log = fs.openSync(logFile, "a");
  const child: ChildProcess = spawn(
    path.join(root, "node_modules", ".bin", "tsx"),
    ["--conditions=react-server", "lib/cli/start.ts"],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        PORT: String(port),
        DATABASE_PATH: path.join(dataDir, "app.db"),
        SAMPLE_DATA: opts.sample === false ? "0" : "1",
        ...opts.env,
      },
      stdio: ["ignore", log, log],
      detached: true,
    },
  );
  const stop = () => {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 280_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${baseUrl}/api/datasets`);
      if (r.ok) return { baseUrl, dataDir, logFile, stop };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  stop();
  const tail = fs.readFileSync(logFile, "utf8").slice(-4000);
  throw new Error(`the app did not start (exit ${child.exitCode}); log tail:\n${tail}`);
}
