import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as UploadsRoute from "@/app/api/uploads/route";
import type * as LagReportRoute from "@/app/api/datasets/[id]/lag-report/route";

// The routes read settings once from the environment: point them at a throwaway database before importing them.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-api-lag-"));
vi.stubEnv("DATABASE_PATH", path.join(dir, "api.db"));
vi.stubEnv("SAMPLE_DATA", "0");

const REPORT = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "fixtures", "engine", "lag-report", "google-ads-days-to-conversion.csv"));
let uploads: typeof UploadsRoute;
let route: typeof LagReportRoute;
let id = 0;

beforeAll(async () => {
  uploads = await import("@/app/api/uploads/route");
  route = await import("@/app/api/datasets/[id]/lag-report/route");
  const csv = ["date,campaign,impressions,clicks,conversions,spend,revenue", "2026-03-02,Brand,1000,100,3,50,90", "2026-03-03,Brand,1000,100,4,50,120", ""].join("\n");
  const r = await uploads.POST(new Request("http://test/api/uploads?fileName=shop.csv", { method: "POST", body: csv, headers: { "content-type": "text/csv" } }));
  id = ((await r.json()) as { datasetId: number }).datasetId;
});
afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ctx = (v: string) => ({ params: Promise.resolve({ id: v }) });
const post = (v: string, body: BodyInit | null, headers: Record<string, string> = { "content-type": "text/csv" }) =>
  route.POST(new Request(`http://test/api/datasets/${v}/lag-report?fileName=days.csv`, { method: "POST", body, headers }), ctx(v));
type Err = { error: { code: string; message: string } };

describe("POST/GET/DELETE /api/datasets/:id/lag-report", () => {
  it("stores a report (201 with buckets, rejected rows and the fit), lists it, and removes it", async () => {
    const r = await post(String(id), REPORT);
    expect(r.status).toBe(201);
    const body = (await r.json()) as { buckets: unknown[]; rejected: unknown[]; fit: { method: string; conversions: number } };
    expect(body.buckets).toHaveLength(15);
    expect(body.fit).toMatchObject({ method: "exponential", conversions: 1800 });
    const got = await route.GET(new Request("http://test"), ctx(String(id)));
    expect(((await got.json()) as { report: { fileName: string } }).report.fileName).toBe("days.csv");
    expect((await route.DELETE(new Request("http://test", { method: "DELETE" }), ctx(String(id)))).status).toBe(200);
    const gone = await route.GET(new Request("http://test"), ctx(String(id)));
    expect(gone.status).toBe(404);
  });

  it("refuses with a reason: not a report (422), a multipart form (415), too large (413), an unknown dataset or an id that is not one (404)", async () => {
    const notReport = await post(String(id), "campaign,clicks\nA,10\n");
    expect(notReport.status).toBe(422);
    expect(((await notReport.json()) as Err).error).toMatchObject({ code: "unrecognised_format", message: expect.stringMatching(/not a time-lag report/) });
    expect((await post(String(id), REPORT, { "content-type": "multipart/form-data; boundary=x" })).status).toBe(415);
    const big = await post(String(id), REPORT, { "content-type": "text/csv", "content-length": String(6 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as Err).error.message).toMatch(/at most 5 MB/);
    expect((await post("999", REPORT)).status).toBe(404);
    expect((await post("abc", REPORT)).status).toBe(404);
    const empty = await post(String(id), "");
    expect(empty.status).toBe(422);
  });
});
