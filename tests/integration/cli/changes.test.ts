import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as ChangesRoute from "@/app/api/datasets/[id]/changes/route";
import type * as ChangeRoute from "@/app/api/datasets/[id]/changes/[changeId]/route";
import type * as CompareRoute from "@/app/api/datasets/[id]/compare/route";
import type * as DatasetRoute from "@/app/api/datasets/[id]/route";
import type * as PoolModule from "@/lib/jobs/pool";

/*
 * Change markers: saved, listed and removed by the command line (`change`, `changes`) and by
 * GET/POST /api/datasets/:id/changes and DELETE /api/datasets/:id/changes/:changeId, on one database; every write
 * bumps the data revision; bad input is refused by both (exit 2, HTTP 400/404) with a message. And compare's `lag`.
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-changes-"));
const DB = path.join(dir, "changes.db");
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

let changesRoute: typeof ChangesRoute;
let changeRoute: typeof ChangeRoute;
let compareRoute: typeof CompareRoute;
let datasetRoute: typeof DatasetRoute;
let pool: typeof PoolModule;
let revision: () => number;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, "lib", "cli", "run.cjs"), "import", path.join(ROOT, "sample-data", "campaigns-daily.csv")], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: DB },
    stdio: "ignore",
  });
  changesRoute = await import("@/app/api/datasets/[id]/changes/route");
  changeRoute = await import("@/app/api/datasets/[id]/changes/[changeId]/route");
  compareRoute = await import("@/app/api/datasets/[id]/compare/route");
  datasetRoute = await import("@/app/api/datasets/[id]/route");
  pool = await import("@/lib/jobs/pool");
  const { getDb } = await import("@/db/client");
  const { dataRevision } = await import("@/db/queries");
  revision = () => dataRevision(getDb());
}, 180_000);

afterAll(async () => {
  await pool.closePool();
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const list = (id: string, query = "") => changesRoute.GET(new Request(`http://localhost/api/datasets/${id}/changes${query}`), ctx(id));
const post = (id: string, body: string) =>
  changesRoute.POST(new Request(`http://localhost/api/datasets/${id}/changes`, { method: "POST", body, headers: { "Content-Type": "application/json" } }), ctx(id));
const del = (id: string, changeId: string) =>
  changeRoute.DELETE(new Request(`http://localhost/api/datasets/${id}/changes/${changeId}`, { method: "DELETE" }), { params: Promise.resolve({ id, changeId }) });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe("change markers from the command line", () => {
  it("change saves a marker and prints the compare answer for it; changes lists it; --remove removes it", () => {
    const saved = cli(["change", "1", "--campaign", "Brand Search", "--date", "2026-05-01", "--note", "  new ads  ", "--json"]);
    expect(saved.code).toBe(0);
    const body = JSON.parse(saved.stdout);
    expect(body.marker).toMatchObject({ datasetId: 1, campaign: "Brand Search", date: "2026-05-01", note: "new ads" });
    expect(body.compare.changeDate).toBe("2026-05-01");
    expect(Object.keys(body.compare.lift)).toEqual(expect.arrayContaining(["median", "lo90", "hi90"]));

    const text = cli(["change", "1", "--campaign", "Generic Search - Running Shoes", "--date", "2026-06-01"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Saved change marker \d+: 2026-06-01 on "Generic Search - Running Shoes"\./);
    expect(text.stdout).toContain("P(lift > 0)");

    const all = JSON.parse(cli(["changes", "1", "--json"]).stdout);
    expect(all.changes.map((m: { date: string }) => m.date)).toEqual(["2026-05-01", "2026-06-01"]);
    const one = JSON.parse(cli(["changes", "1", "--campaign", "Brand Search", "--json"]).stdout);
    expect(one.changes).toHaveLength(1);
    expect(cli(["changes", "1"]).stdout).toContain('2026-05-01  Brand Search  "new ads"');

    const removed = cli(["change", "1", "--remove", String(body.marker.id)]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`Removed change marker ${body.marker.id}`);
    expect(JSON.parse(cli(["changes", "1", "--json"]).stdout).changes).toHaveLength(1);
  }, 120_000);

  it("keeps a marker after the last day (a change whose days are not exported yet) and says there is no answer yet", () => {
    const out = cli(["change", "1", "--campaign", "Brand Search", "--date", "2026-09-15"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("No answer yet: No days on or after 2026-09-15");
  }, 60_000);

  it("refuses bad input with exit 2 and the reason, and nothing is saved", () => {
    const before = JSON.parse(cli(["changes", "1", "--json"]).stdout).changes.length;
    const cases: [string[], string][] = [
      [["change", "1", "--campaign", "Brand Search", "--date", "2026-02-30"], "date is not a calendar date"],
      [["change", "1", "--campaign", "Brand Search", "--date", "2026-03-01"], "between the campaign's first day, 2026-03-02"],
      [["change", "1", "--campaign", "Brand Search", "--date", "2027-08-29"], "a year after its last day"],
      [["change", "1", "--campaign", "Nope", "--date", "2026-05-01"], 'No campaign "Nope"'],
      [["change", "1", "--campaign", "Brand Search", "--date", "2026-05-01", "--note", "x".repeat(501)], "at most 500 characters"],
      [["change", "1", "--campaign", "Brand Search"], "change takes a dataset id"],
      [["change", "9", "--campaign", "Brand Search", "--date", "2026-05-01"], "No dataset with id 9"],
      [["change", "1", "--remove", "999"], "has no change marker 999"],
      [["change", "1", "--remove", "x"], "--remove takes a change marker id"],
      [["changes", "x"], "changes takes a dataset id"],
      [["changes", "9"], "No dataset with id 9"],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain(message);
    }
    expect(JSON.parse(cli(["changes", "1", "--json"]).stdout).changes).toHaveLength(before);
  }, 120_000);
});

describe("change markers over HTTP", () => {
  it("POST answers 201 with the marker and bumps the revision; GET lists it; DELETE removes it", async () => {
    const rev0 = revision();
    const res = await post("1", JSON.stringify({ campaign: "Display Remarketing", date: "2026-07-01", note: "new banner" }));
    expect(res.status).toBe(201);
    const marker = (await res.json()) as { id: number; campaign: string; date: string; note: string; createdAt: string };
    expect(marker).toMatchObject({ campaign: "Display Remarketing", date: "2026-07-01", note: "new banner" });
    expect(revision()).toBe(rev0 + 1);

    const listed = (await (await list("1", "?campaign=Display%20Remarketing")).json()) as { changes: { id: number }[] };
    expect(listed.changes.map((m) => m.id)).toEqual([marker.id]);
    // the command line reads the same rows
    expect(JSON.parse(cli(["changes", "1", "--campaign", "Display Remarketing", "--json"]).stdout).changes).toEqual(listed.changes);

    const gone = await del("1", String(marker.id));
    expect(gone.status).toBe(200);
    expect(revision()).toBe(rev0 + 2);
    expect(((await (await list("1", "?campaign=Display%20Remarketing")).json()) as { changes: unknown[] }).changes).toEqual([]);
    const again = await del("1", String(marker.id));
    expect(again.status).toBe(404);
    expect((await errorOf(again)).code).toBe("not_found");
  }, 60_000);

  it("refuses unreadable JSON, an invalid body, an unknown dataset or campaign, with the error body and no write", async () => {
    const rev0 = revision();
    const cases: [string, string, number, string][] = [
      ["1", "{not json", 400, "invalid_json"],
      ["1", JSON.stringify({ campaign: "Brand Search" }), 400, "invalid_body"],
      ["1", JSON.stringify({ campaign: "Brand Search", date: "2026-13-01" }), 400, "invalid_body"],
      ["1", JSON.stringify({ campaign: "Brand Search", date: "2025-01-01" }), 400, "invalid_body"],
      ["1", JSON.stringify({ campaign: "Brand Search", date: "2026-05-01", note: "y".repeat(501) }), 400, "invalid_body"],
      ["1", JSON.stringify({ campaign: "Nope", date: "2026-05-01" }), 404, "not_found"],
      ["9", JSON.stringify({ campaign: "Brand Search", date: "2026-05-01" }), 404, "not_found"],
      ["abc", JSON.stringify({ campaign: "Brand Search", date: "2026-05-01" }), 404, "not_found"],
    ];
    for (const [id, body, status, code] of cases) {
      const res = await post(id, body);
      expect(res.status, body).toBe(status);
      const err = await errorOf(res);
      expect(err.code, body).toBe(code);
      expect(err.message.length).toBeGreaterThan(10);
    }
    expect(revision()).toBe(rev0);
    expect((await list("9")).status).toBe(404);
    expect((await del("1", "0")).status).toBe(404);
  }, 60_000);

  it("removes a dataset's markers with the dataset (ON DELETE CASCADE)", async () => {
    const imported = cli(["import", path.join(ROOT, "sample-data", "google-ads-campaign-report.csv"), "--json"]);
    expect(imported.code).toBe(0);
    const id = String(JSON.parse(imported.stdout).datasetId);
    const campaigns = JSON.parse(cli(["analyze", id, "--json"]).stdout).campaigns as { campaign: string }[];
    const name = campaigns[0]!.campaign;
    const periodStart = JSON.parse(imported.stdout).period.start as string;
    expect((await post(id, JSON.stringify({ campaign: name, date: periodStart }))).status).toBe(201);
    const { getDb } = await import("@/db/client");
    const count = () => (getDb().$client.prepare("SELECT count(*) AS n FROM change_markers WHERE dataset_id = ?").get(Number(id)) as { n: number }).n;
    expect(count()).toBe(1);
    const res = await datasetRoute.DELETE(new Request(`http://localhost/api/datasets/${id}`, { method: "DELETE" }), ctx(id));
    expect(res.status).toBe(200);
    expect(count()).toBe(0);
  }, 120_000);
});

describe("compare with conversion lag", () => {
  it("says which curve it used and how many after days are provisional; lag=off reads every day as complete", async () => {
    const q = "campaign=Brand%20Search&changeDate=2026-08-10&asOf=2026-08-28";
    const res = await compareRoute.GET(new Request(`http://localhost/api/datasets/1/compare?${q}`), ctx("1"));
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r.lag).toMatchObject({ source: "default", setting: { q: 0.9, d: 7 }, asOf: "2026-08-28", horizon: 14, provisionalDays: 14, provisionalBeforeDays: 0 });
    expect(r.after.effectiveClicks).toBeLessThan(r.after.clicks);
    expect(r.lag.afterCompleteness).toBeCloseTo(r.after.effectiveClicks / r.after.clicks, 12);
    expect(r.notes.join(" ")).toContain("provisional");
    // the same from the command line
    const fromCli = JSON.parse(cli(["compare", "1", "--campaign", "Brand Search", "--change-date", "2026-08-10", "--as-of", "2026-08-28", "--json"]).stdout);
    expect(fromCli).toEqual(r);

    const off = await (await compareRoute.GET(new Request(`http://localhost/api/datasets/1/compare?${q}&lag=off`), ctx("1"))).json();
    expect(off.lag).toMatchObject({ source: "none", provisionalDays: 0, afterCompleteness: 1 });
    expect(off.after.effectiveClicks).toBe(off.after.clicks);
    // the sample's conversions are complete: read as still arriving, the after rate per effective click is higher
    expect(r.after.rate).toBeGreaterThan(off.after.rate);

    const bad = await compareRoute.GET(new Request(`http://localhost/api/datasets/1/compare?${q}&lag=2@7`), ctx("1"));
    expect(bad.status).toBe(400);
    expect(cli(["compare", "1", "--campaign", "Brand Search", "--change-date", "2026-08-10", "--lag", "soon"]).code).toBe(2);
  }, 120_000);
});
