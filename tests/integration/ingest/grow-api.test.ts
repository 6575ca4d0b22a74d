import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as UploadsRoute from "@/app/api/uploads/route";
import type * as ListRoute from "@/app/api/datasets/[id]/uploads/route";
import type * as RemoveRoute from "@/app/api/datasets/[id]/uploads/[uploadId]/route";

// The routes read settings once from the environment: point them at a throwaway database before importing them.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-grow-api-"));
vi.stubEnv("DATABASE_PATH", path.join(dir, "api.db"));
vi.stubEnv("SAMPLE_DATA", "0");

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

let uploads: typeof UploadsRoute;
let list: typeof ListRoute;
let remove: typeof RemoveRoute;

beforeAll(async () => {
  uploads = await import("@/app/api/uploads/route");
  list = await import("@/app/api/datasets/[id]/uploads/route");
  remove = await import("@/app/api/datasets/[id]/uploads/[uploadId]/route");
});

afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const post = (query: string, body: string) =>
  uploads.POST(new Request(`http://test/api/uploads?${query}`, { method: "POST", body, headers: { "content-type": "text/csv" } }));
const ctx = <T extends Record<string, string>>(params: T) => ({ params: Promise.resolve(params) });
const json = async (r: Response) => (await r.json()) as Json;

const HEADER = "date,campaign,impressions,clicks,conversions,spend,revenue\n";
const A = `${HEADER}2026-03-02,shoes,1840,212,9,187.40,812.55\n2026-03-03,shoes,1755,198,6,176.95,431.20\n`;
const B = `${HEADER}2026-03-03,shoes,1755,201,8,176.95,601.20\n2026-03-04,shoes,1702,190,4,170.10,300.00\n`;

describe("a dataset that grows, over HTTP", () => {
  it("adds a newer export with datasetId, lists the uploads, removes one, and refuses what it must", async () => {
    const a = await json(await post("fileName=a.csv", A));
    const id = String(a.datasetId);

    const r = await post(`fileName=b.csv&datasetId=${id}`, B);
    expect(r.status).toBe(201);
    const b = await json(r);
    expect(b.datasetId).toBe(a.datasetId);
    const upload = b.upload as { uploadId: number; rowsAdded: number; rowsReplaced: number; totalsAfter: { rows: number; clicks: number } };
    // 03-03 replaced, 03-04 added; clicks 212 + 201 + 190
    expect(upload).toMatchObject({ rowsAdded: 1, rowsReplaced: 1, totalsAfter: { rows: 3, clicks: 603 } });

    const again = await post(`fileName=b.csv&datasetId=${id}`, B);
    expect(again.status).toBe(200);
    expect(((await json(again)).upload as { uploadId: number }).uploadId).toBe(upload.uploadId);

    for (const [q, status, code] of [
      ["datasetId=abc", 400, "invalid_query"],
      ["datasetId=0", 400, "invalid_query"],
      ["datasetId=999", 404, "not_found"],
    ] as const) {
      const bad = await post(`fileName=c.csv&${q}`, `${HEADER}2026-03-05,shoes,1,1,0,1,0\n`);
      expect(bad.status).toBe(status);
      expect((await json(bad)).error?.code).toBe(code);
    }

    const listed = await json(await list.GET(new Request("http://test"), ctx({ id })));
    const ups = listed.uploads as { id: number; fileName: string; first: boolean }[];
    expect(ups.map((u) => [u.fileName, u.first])).toEqual([
      ["b.csv", false],
      ["a.csv", true],
    ]);

    const del = (uploadId: string) => remove.DELETE(new Request("http://test", { method: "DELETE" }), ctx({ id, uploadId }));
    expect((await del(String(ups[1]!.id))).status).toBe(409);
    const gone = await del(String(upload.uploadId));
    expect(gone.status).toBe(200);
    expect(await json(gone)).toEqual({ datasetId: a.datasetId, removed: upload.uploadId });
    expect((await del(String(upload.uploadId))).status).toBe(404);
    expect((await del("x")).status).toBe(404);
    const after = await json(await list.GET(new Request("http://test"), ctx({ id })));
    expect((after.uploads as { totalsAfter: { clicks: number } }[]).map((u) => u.totalsAfter.clicks)).toEqual([410]);
    expect((await list.GET(new Request("http://test"), ctx({ id: "999" }))).status).toBe(404);
  });
});
