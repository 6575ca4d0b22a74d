import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as UploadsRoute from "@/app/api/uploads/route";
import type * as ImportRoute from "@/app/api/uploads/[sha256]/import/route";
import type * as ProgressRoute from "@/app/api/uploads/progress/route";
import type * as DatasetsRoute from "@/app/api/datasets/route";
import type * as DatasetRoute from "@/app/api/datasets/[id]/route";
import type * as RejectedRoute from "@/app/api/datasets/[id]/rejected.csv/route";
import type * as ModelRoute from "@/app/api/model/route";
import type * as DetectRoute from "@/app/api/uploads/[sha256]/detect/route";

// The routes read settings once from the environment: point them at a throwaway database before importing them.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-api-"));
vi.stubEnv("DATABASE_PATH", path.join(dir, "api.db"));
vi.stubEnv("SAMPLE_DATA", "0");
vi.stubEnv("UPLOAD_MAX_MB", "1");

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

const GENERIC = [
  "date,campaign,impressions,clicks,conversions,spend,revenue",
  "2026-03-02,Brand Search,1840,212,9,187.40,812.55",
  "2026-03-02,Display,15220,96,1,41.10,64.00",
  "2026-03-03,Brand Search,1755,198,6,176.95,431.20",
  "2026-03-03,Display,14980,-3,0,40.00,0",
  "2026-03-04,Brand Search,1802,205,7,181.10,560.00",
  "",
].join("\n");

let uploads: typeof UploadsRoute;
let importRoute: typeof ImportRoute;
let progress: typeof ProgressRoute;
let datasetsRoute: typeof DatasetsRoute;
let datasetRoute: typeof DatasetRoute;
let rejectedRoute: typeof RejectedRoute;
let modelRoute: typeof ModelRoute;
let detectRoute: typeof DetectRoute;

beforeAll(async () => {
  uploads = await import("@/app/api/uploads/route");
  importRoute = await import("@/app/api/uploads/[sha256]/import/route");
  progress = await import("@/app/api/uploads/progress/route");
  datasetsRoute = await import("@/app/api/datasets/route");
  datasetRoute = await import("@/app/api/datasets/[id]/route");
  rejectedRoute = await import("@/app/api/datasets/[id]/rejected.csv/route");
  modelRoute = await import("@/app/api/model/route");
  detectRoute = await import("@/app/api/uploads/[sha256]/detect/route");
});

afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const post = (query: string, body: BodyInit | null, headers: Record<string, string> = {}) =>
  uploads.POST(new Request(`http://test/api/uploads?${query}`, { method: "POST", body, headers }));
const ctx = <T extends Record<string, string>>(params: T) => ({ params: Promise.resolve(params) });
const json = async (r: Response) => (await r.json()) as Json;

describe("POST /api/uploads", () => {
  it("imports a generic CSV, keeps the bad row with its line and reason, and answers 201 with the summary", async () => {
    const r = await post("fileName=shop.csv&name=Shop&token=tok-generic-1", GENERIC);
    expect(r.status).toBe(201);
    const s = await json(r);
    expect(s.format).toBe("generic");
    expect(s.rowsImported).toBe(4);
    expect(s.rowsRejected).toBe(1);
    expect(s.totals).toMatchObject({ impressions: 1840 + 15220 + 1755 + 1802, clicks: 212 + 96 + 198 + 205 });
    expect((s.totals as { spend: number }).spend).toBeCloseTo(187.4 + 41.1 + 176.95 + 181.1, 6); // float sum, 1e-6
    expect(s.period).toEqual({ start: "2026-03-02", end: "2026-03-04" });

    const p = await progress.GET(new Request("http://test/api/uploads/progress?token=tok-generic-1"));
    expect(p.status).toBe(200);
    expect(await json(p)).toMatchObject({ phase: "done", rowsDone: 4 });

    const rej = await rejectedRoute.GET(new Request("http://test"), ctx({ id: String(s.datasetId) }));
    expect(rej.headers.get("content-type")).toContain("text/csv");
    const text = await rej.text();
    expect(text.split(/\r?\n/)[0]).toBe("line,reason,raw");
    expect(text).toContain("5,"); // line 5 of the file is the negative-clicks row
    expect(text).toContain("-3");
  });

  it("gives the same dataset back for the same bytes (200, existing)", async () => {
    const a = await json(await post("fileName=shop.csv", GENERIC));
    const b = await post("fileName=copy.csv", GENERIC);
    expect(b.status).toBe(200);
    const bj = await json(b);
    expect(bj.datasetId).toBe(a.datasetId);
    expect(bj.existing).toBe(true);
  });

  it("previews a known format without importing anything", async () => {
    const before = ((await json(await datasetsRoute.GET())).datasets as unknown[]).length;
    const csv = "date,campaign,impressions,clicks,conversions,spend\n2026-01-05,Alpha,100,10,1,5.00\n";
    const r = await post("fileName=known.csv&preview=1", csv);
    expect(r.status).toBe(200);
    const d = (await json(r)).detection as { format: string; mapping: Record<string, string>; previewRows: unknown[] };
    expect(d.format).toBe("generic");
    expect(d.mapping.clicks).toBe("clicks");
    expect(d.previewRows).toHaveLength(1);
    expect(((await json(await datasetsRoute.GET())).datasets as unknown[]).length).toBe(before);
  });

  it("keeps an unrecognised file, names its headers, and imports it once the user maps the columns", async () => {
    const csv = "Day,Name,Views,Taps,Sales,Cost\n2026-01-05,Alpha,100,10,1,5.00\n2026-01-06,Alpha,120,12,0,6.00\n";
    const r = await post("fileName=custom.csv&preview=1", csv);
    expect(r.status).toBe(422);
    const e = (await json(r)).error as { code: string; message: string; details: { sha256: string; headers: string[] } };
    expect(e.code).toBe("unrecognised_format");
    expect(e.message).toContain("Taps");
    expect(e.details.headers).toEqual(["Day", "Name", "Views", "Taps", "Sales", "Cost"]);
    expect(e.details.sha256).toMatch(/^[0-9a-f]{64}$/);

    const mapping = { date: "Day", campaign: "Name", impressions: "Views", clicks: "Taps", conversions: "Sales", spend: "Cost" };
    const det = await detectRoute.POST(
      new Request("http://test", { method: "POST", body: JSON.stringify({ fileName: "custom.csv", mapping }) }),
      ctx({ sha256: e.details.sha256 }),
    );
    expect(det.status).toBe(200);
    expect(((await json(det)).detection as { mapping: Record<string, string> }).mapping.clicks).toBe("Taps");

    const imp = await importRoute.POST(
      new Request("http://test", { method: "POST", body: JSON.stringify({ fileName: "custom.csv", mapping }) }),
      ctx({ sha256: e.details.sha256 }),
    );
    expect(imp.status).toBe(201);
    expect(await json(imp)).toMatchObject({ rowsImported: 2, totals: { clicks: 22, conversions: 1 } });

    const bad = await detectRoute.POST(
      new Request("http://test", { method: "POST", body: JSON.stringify({ fileName: "x.csv" }) }),
      ctx({ sha256: "../../etc/passwd" }),
    );
    expect(bad.status).toBe(404);
  });

  it("imports unknown headers in one call with a mapping query parameter", async () => {
    const csv = "Tag,Kanal,Klicks,Verkaeufe,Kosten\n2026-02-01,Nord,50,2,10.00\n2026-02-02,Nord,40,0,8.00\n";
    const mapping = encodeURIComponent(
      JSON.stringify({ date: "Tag", campaign: "Kanal", clicks: "Klicks", conversions: "Verkaeufe", spend: "Kosten" }),
    );
    const r = await post(`fileName=de.csv&mapping=${mapping}`, csv);
    expect(r.status).toBe(201);
    expect(await json(r)).toMatchObject({ rowsImported: 2, totals: { clicks: 90, conversions: 2 } });
  });

  it("refuses an empty body, a binary file and an over-limit file with a clear message and writes nothing", async () => {
    const before = ((await json(await datasetsRoute.GET())).datasets as unknown[]).length;
    const empty = await post("fileName=empty.csv", "");
    expect(empty.status).toBe(422);
    expect((await json(empty)).error?.code).toBe("empty_file");

    const bin = await post("fileName=photo.csv", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3, 0, 0, 0]));
    expect(bin.status).toBe(415);
    expect((await json(bin)).error?.code).toBe("binary_file");

    const big = await post("fileName=big.csv", "x".repeat(16), { "content-length": String(5 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect((await json(big)).error?.message).toMatch(/limit is 1 MB/);

    const streamedBig = await post("fileName=big2.csv", "date,campaign,clicks\n" + "2026-01-01,A,1\n".repeat(80_000));
    expect(streamedBig.status).toBe(413);

    const after = ((await json(await datasetsRoute.GET())).datasets as unknown[]).length;
    expect(after).toBe(before);
  });

  it("rejects a bad query with 400 and the field named", async () => {
    const r = await post("fileName=a.csv&token=!!", GENERIC);
    expect(r.status).toBe(400);
    const e = await json(r);
    expect(e.error?.code).toBe("invalid_query");
    expect(e.error?.message).toContain("token");
  });
});

describe("datasets", () => {
  it("lists, shows, and deletes a dataset; unknown ids are 404 with the error body", async () => {
    const list = (await json(await datasetsRoute.GET())).datasets as { id: number; name: string }[];
    expect(list.length).toBeGreaterThan(0);
    const id = list[0]!.id;
    const one = await datasetRoute.GET(new Request("http://test"), ctx({ id: String(id) }));
    expect(one.status).toBe(200);
    expect(await json(one)).toHaveProperty("summary");

    const missing = await datasetRoute.GET(new Request("http://test"), ctx({ id: "99999" }));
    expect(missing.status).toBe(404);
    expect((await json(missing)).error?.code).toBe("not_found");
    const junk = await datasetRoute.GET(new Request("http://test"), ctx({ id: "../etc" }));
    expect(junk.status).toBe(404);

    const del = await datasetRoute.DELETE(new Request("http://test", { method: "DELETE" }), ctx({ id: String(id) }));
    expect(del.status).toBe(200);
    const again = await datasetRoute.GET(new Request("http://test"), ctx({ id: String(id) }));
    expect(again.status).toBe(404);
  });
});

describe("POST /api/model", () => {
  const call = (body: string) => modelRoute.POST(new Request("http://test/api/model", { method: "POST", body }));

  it("answers 400 invalid_json for unreadable JSON", async () => {
    const r = await call("{nope");
    expect(r.status).toBe(400);
    expect((await json(r)).error?.code).toBe("invalid_json");
  });

  it("answers 400 invalid_body naming the bad field", async () => {
    const r = await call(JSON.stringify({ frequency: { kind: "poisson", lambda: -1 }, severity: { kind: "constant", value: 1 } }));
    expect(r.status).toBe(400);
    const e = await json(r);
    expect(e.error?.code).toBe("invalid_body");
    expect(e.error?.message).toContain("frequency.lambda");
  });

  it("computes a Poisson count distribution exactly (constant severity 1)", async () => {
    const r = await call(
      JSON.stringify({ frequency: { kind: "poisson", lambda: 3 }, severity: { kind: "constant", value: 1 }, step: 1, cdfAt: [0, 2] }),
    );
    expect(r.status).toBe(200);
    const m = (await json(r)) as unknown as { mean: number; pZero: number; cdf: Record<string, number> };
    expect(m.mean).toBeCloseTo(3, 9); // closed form E[N] = lambda, 1e-9
    expect(m.pZero).toBeCloseTo(Math.exp(-3), 12); // P(N=0) = e^-3, 1e-12
    expect(m.cdf["2"]).toBeCloseTo(Math.exp(-3) * (1 + 3 + 4.5), 12); // Poisson cdf at 2, 1e-12
  });
});
