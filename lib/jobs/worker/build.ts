/**
 * Builds the worker thread's bundle: lib/jobs/worker/entry.ts and everything it imports (analysis, engine, db)
 * compiled by esbuild into one CommonJS file, so `next start` and the CLI load plain JavaScript in their worker
 * threads without a TypeScript loader. better-sqlite3 (a native addon) stays external and is required from
 * node_modules; `server-only` (which throws outside a React Server Components bundle) is replaced by an empty module.
 *
 * Run by `npm run build` (after `next build`, which empties .next), by `npm start` when the bundle is missing or
 * older than the sources, and by lib/jobs/pool.ts on first use when it is missing (`next dev`, tests).
 */
import fs from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";

/** Where the bundle is written, relative to the project root. */
export const WORKER_BUNDLE = path.join(".next", "noisefloor-worker", "worker.cjs");

/** Source folders whose changes make the bundle stale. */
const WORKER_SOURCES = ["lib", "db", "drizzle", "package-lock.json"];

/** The newest modification time (ms) of a file or of anything under a folder; 0 when it does not exist. */
export function newestMtime(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

/** Whether the bundle under `root` is missing or older than any of its sources. */
export function workerBundleStale(root: string): boolean {
  const out = path.join(root, WORKER_BUNDLE);
  if (!fs.existsSync(out)) return true;
  const built = fs.statSync(out).mtimeMs;
  return WORKER_SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
}

/**
 * Bundles the worker with esbuild (the version tsx uses). Throws with esbuild's own message when the build fails (an
 * error a developer fixes; no client ever sees it).
 *
 * @returns the absolute path of the bundle.
 */
export function buildWorkerBundle(root: string): string {
  const out = path.join(root, WORKER_BUNDLE);
  esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [path.join(root, "lib", "jobs", "worker", "entry.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["better-sqlite3"],
    alias: { "server-only": path.join(root, "lib", "jobs", "worker", "empty.ts") },
    tsconfig: path.join(root, "tsconfig.json"),
    sourcemap: true,
    logLevel: "warning",
    outfile: out,
  });
  return out;
}
