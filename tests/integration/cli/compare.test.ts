import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as CompareRoute from "@/app/api/datasets/[id]/compare/route";
import type * as AbRoute from "@/app/api/datasets/[id]/ab/route";
import type * as PoolModule from "@/lib/jobs/pool";

/*
 * One contract for `compare` and `ab`: the command line (--json) and GET /api/datasets/:id/compare and /ab answer
 * the same JSON on the sample dataset; bad input is refused by both (exit 2, HTTP 400/404) with a message.
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-compare-"));
const DB = path.join(dir, "compare.db");
vi.stubEnv("DATABASE_PATH", DB);
vi.stubEnv("SAMPLE_DATA", "0");
vi.stubEnv("WORKER_THREADS", "1");

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, "lib", "cli", "run.cjs"), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: DB },
    encoding: "utf8",
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let compareRoute: typeof CompareRoute;
let abRoute: typeof AbRoute;
let pool: typeof PoolModule;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, "lib", "cli", "run.cjs"), "import", path.join(ROOT, "sample-data", "campaigns-daily.csv")], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: DB },
    stdio: "ignore",
  });
  compareRoute = await import("@/app/api/datasets/[id]/compare/route");
  abRoute = await import("@/app/api/datasets/[id]/ab/route");
  pool = await import("@/lib/jobs/pool");
}, 180_000);

afterAll(async () => {
  await pool.closePool();
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const get = (route: "compare" | "ab", id: string, query: string) =>
  (route === "compare" ? compareRoute : abRoute).GET(new Request(`http://localhost/api/datasets/${id}/${route}?${query}`), ctx(id));

describe("compare", () => {
  it("answers the contract's keys, the same from the command line and the API", async () => {
    const out = cli(["compare", "1", "--campaign", "Brand Search", "--change-date", "2026-05-01", "--json"]);
    expect(out.code).toBe(0);
    const fromCli = JSON.parse(out.stdout);
    for (const side of ["before", "after"]) expect(Object.keys(fromCli[side])).toEqual(expect.arrayContaining(["clicks", "conversions", "rate"]));
    expect(Object.keys(fromCli.lift)).toEqual(expect.arrayContaining(["median", "lo90", "hi90"]));
    expect(fromCli.pPositive).toBeGreaterThanOrEqual(0);
    expect(fromCli.pPositive).toBeLessThanOrEqual(1);
    expect(Object.keys(fromCli.expectedAfter)).toEqual(expect.arrayContaining(["mean", "lo90", "hi90"]));
    expect(Object.keys(fromCli.daysToDetect)).toEqual(expect.arrayContaining(["lift10", "lift20"]));
    expect(fromCli.before.to < "2026-05-01" && fromCli.after.from === "2026-05-01").toBe(true);

    const res = await get("compare", "1", "campaign=Brand%20Search&changeDate=2026-05-01");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(fromCli);
  }, 180_000);

  it("prints a plain report without --json", () => {
    const out = cli(["compare", "1", "--campaign", "Brand Search", "--change-date", "2026-05-01"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("P(lift > 0)");
    expect(out.stdout).toContain("before:");
  });

  it("refuses a bad date or campaign: exit 2 and HTTP 400/404 with the error body", async () => {
    const bad = cli(["compare", "1", "--campaign", "Brand Search", "--change-date", "2026-02-30", "--json"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("changeDate");
    const res = await get("compare", "1", "campaign=Brand%20Search&changeDate=2026-02-30");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_query");
    expect((await get("compare", "1", "campaign=Nope&changeDate=2026-05-01")).status).toBe(404);
    expect((await get("compare", "abc", "campaign=Nope&changeDate=2026-05-01")).status).toBe(404);
    expect(cli(["compare", "1", "--campaign", "Nope", "--change-date", "2026-05-01"]).code).toBe(2);
  }, 60_000);
});

describe("ab", () => {
  it("answers pBBeatsA, expectedLoss {a, b} and lift, the same from the command line and the API", async () => {
    const out = cli(["ab", "1", "--a", "Brand Search", "--b", "Generic Search - Running Shoes", "--json"]);
    expect(out.code).toBe(0);
    const fromCli = JSON.parse(out.stdout);
    expect(fromCli.pBBeatsA).toBeGreaterThanOrEqual(0);
    expect(Object.keys(fromCli.expectedLoss).sort()).toEqual(["a", "b"]);
    expect(Object.keys(fromCli.lift)).toEqual(expect.arrayContaining(["median", "lo90", "hi90"]));
    const res = await get("ab", "1", "a=Brand%20Search&b=Generic%20Search%20-%20Running%20Shoes");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(fromCli);
    expect(cli(["ab", "1", "--a", "Brand Search", "--b", "Generic Search - Running Shoes"]).stdout).toContain("P(B beats A)");
  }, 60_000);

  it("compares two segments of a campaign with --campaign (the sample's daily file has none: a clear 404)", async () => {
    const out = cli(["ab", "1", "--campaign", "Brand Search", "--a", "x", "--b", "y"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("its rows have no segments");
    expect((await get("ab", "1", "campaign=Brand%20Search&a=x&b=y")).status).toBe(404);
  }, 60_000);

  it("refuses the same campaign twice (exit 2, HTTP 400)", async () => {
    expect(cli(["ab", "1", "--a", "X", "--b", "X"]).code).toBe(2);
    expect((await get("ab", "1", "a=X&b=X")).status).toBe(400);
  }, 60_000);
});
