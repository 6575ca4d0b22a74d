/**
 * `npm start`: build when the sources are newer than the last build (the app, then the worker threads' bundle),
 * apply migrations, load the sample dataset into an empty database (unless SAMPLE_DATA=0), then serve with
 * `next start` on PORT.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { checkDatabasePath, prepareDatabase } from "@/lib/ingest/service";
import { buildWorkerBundle, newestMtime, workerBundleStale } from "@/lib/jobs/worker/build";

const root = process.cwd();
const nextBin = path.join(root, "node_modules", ".bin", "next");
const SOURCES = ["app", "lib", "db", "next.config.ts", "package.json", "package-lock.json", "tsconfig.json"];

function needsBuild(): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return true;
  const built = fs.statSync(buildId).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
}

async function main(): Promise<void> {
  // a DATABASE_PATH that cannot be used stops the start before a build is spent on it
  checkDatabasePath();
  const childEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  if (needsBuild()) {
    console.log("noisefloor: building the app (first start or sources changed)...");
    const r = spawnSync(nextBin, ["build"], { stdio: "inherit", env: childEnv });
    if (r.status !== 0) {
      console.error("noisefloor: the build failed; see the messages above.");
      process.exit(r.status ?? 1);
    }
  }

  // `next build` empties .next, so the worker threads' bundle is checked after it.
  if (workerBundleStale(root)) {
    console.log("noisefloor: bundling the worker threads' code...");
    buildWorkerBundle(root);
  }

  const { file, removed, loaded } = await prepareDatabase({ sampleData: env.SAMPLE_DATA });
  console.log(`noisefloor: database ${file} (migrations applied)`);
  if (removed.length) console.log(`noisefloor: removed ${removed.length} file(s) left by unfinished or unused uploads`);
  if (loaded.length) console.log(`noisefloor: loaded the sample data (${loaded.map((d) => d.name).join(", ")})`);

  const child = spawn(nextBin, ["start", "-p", String(env.PORT)], { stdio: "inherit", env: childEnv });
  console.log(`noisefloor: serving http://localhost:${env.PORT}`);
  const stop = (sig: NodeJS.Signals) => {
    if (!child.killed) child.kill(sig);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  child.on("exit", (code) => process.exit(code ?? 0));
}

main().catch((e: unknown) => {
  console.error("noisefloor: could not start:", e instanceof Error ? e.message : e);
  process.exit(1);
});
