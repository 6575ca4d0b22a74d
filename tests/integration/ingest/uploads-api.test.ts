import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as UploadsRoute from "@/app/api/uploads/route";
import type * as ImportRoute from "@/app/api/uploads/[sha256]/import/route";
import type * as DatasetRoute from "@/app/api/datasets/[id]/route";

// Not from ./helpers: that imports the database module, which would read the settings before they are stubbed.
const fixture = (name: string) => path.resolve(__dirname, "../../fixtures/ingest", name);

// The routes read settings once from the environment: point them at a throwaway database before importing them.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-uploads-api-"));
const uploadsDir = path.join(dir, "uploads");
vi.stubEnv("DATABASE_PATH", path.join(dir, "api.db"));
vi.stubEnv("SAMPLE_DATA", "0");

type Json = Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } };

let uploads: typeof UploadsRoute;
let importRoute: typeof ImportRoute;
let datasetRoute: typeof DatasetRoute;

beforeAll(async () => {
  uploads = await import("@/app/api/uploads/route");
  importRoute = await import("@/app/api/uploads/[sha256]/import/route");
  datasetRoute = await import("@/app/api/datasets/[id]/route");
});

afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const post = (query: string, body: BodyInit | null, headers: Record<string, string> = {}) =>
  uploads.POST(new Request(`http://test/api/uploads?${query}`, { method: "POST", body, headers }));
const ctx = <T extends Record<string, string>>(params: T) => ({ params: Promise.resolve(params) });
const json = async (r: Response) => (await r.json()) as Json;
const stored = () => (fs.existsSync(uploadsDir) ? fs.readdirSync(uploadsDir).filter((n) => !n.startsWith(".")) : []);

const csvOf = (tag: string) =>
  `date,campaign,impressions,clicks,conversions,spend,revenue\n2026-03-02,${tag},1840,212,9,187.40,812.55\n2026-03-03,${tag},1755,198,6,176.95,431.20\n`;

describe("content types", () => {
  it.each(["text/csv", "text/plain; charset=utf-8", "application/vnd.ms-excel", "application/octet-stream", "text/tab-separated-values"])(
    "accepts %s",
    async (type) => {
      const r = await post("fileName=a.csv", csvOf(`ct ${type}`), { "content-type": type });
      expect(r.status).toBe(201);
    },
  );

  it("accepts a body with no content type", async () => {
    const r = await post("fileName=a.csv", new Uint8Array(Buffer.from(csvOf("no type"))));
    expect(r.status).toBe(201);
  });

  it("refuses an image content type and a multipart form with 415, storing nothing", async () => {
    const before = stored();
    const png = await post("fileName=a.csv", csvOf("png"), { "content-type": "image/png" });
    expect(png.status).toBe(415);
    expect((await json(png)).error?.code).toBe("unsupported_media_type");
    const form = new FormData();
    form.append("file", new Blob([csvOf("form")], { type: "text/csv" }), "a.csv");
    const multipart = await uploads.POST(new Request("http://test/api/uploads?fileName=a.csv", { method: "POST", body: form }));
    expect(multipart.status).toBe(415);
    expect((await json(multipart)).error?.message).toMatch(/form \(multipart\)/);
    expect(stored()).toEqual(before);
  });

  it("refuses PNG bytes sent as text/csv and keeps none of them", async () => {
    const before = stored();
    const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 65)]);
    const r = await post("fileName=a.csv", new Uint8Array(bytes), { "content-type": "text/csv" });
    expect(r.status).toBe(415);
    expect((await json(r)).error?.code).toBe("binary_file");
    expect(stored()).toEqual(before);
  });
});

describe("files that are not tables", () => {
  it("refuses prose with a reason (422), sends it to no mapping editor, and keeps none of its bytes", async () => {
    const before = stored();
    const prose =
      "Dear team,\n\nplease find attached the numbers for last month as discussed in our meeting.\n" +
      "Let me know if anything looks off.\n\nBest regards\n";
    for (const preview of ["1", "0"]) {
      const r = await post(`fileName=notes.csv&preview=${preview}`, prose);
      expect(r.status).toBe(422);
      const body = await json(r);
      expect(body.error?.code).toBe("not_a_table");
      expect(body.error?.message).toMatch(/text, not a table of figures/);
      expect(body.error?.details?.sha256).toBeUndefined();
    }
    expect(stored()).toEqual(before);
  });
});

describe("the period on the preview", () => {
  it("is the Microsoft Advertising report's data dates, not its run date", async () => {
    const text = fs
      .readFileSync(fixture("microsoft_ads.csv"), "utf8")
      .replace('"Report Time: 1/12/2026 - 1/14/2026"', '"Report Time: Last week"');
    const r = await post("fileName=ms.csv&preview=1", text);
    expect(r.status).toBe(200);
    const d = (await json(r)).detection as { format: string; period: unknown; periodFromPreamble: unknown };
    expect(d.format).toBe("microsoft_ads");
    // "Last Completed Available Day: 1/15/2026 ..." is when the data was fresh, not the period
    expect(d.periodFromPreamble).toBeNull();
    expect(d.period).toEqual({ start: "2026-01-12", end: "2026-01-14", source: "data" });
  });
});

describe("currency at import", () => {
  it("takes the user's currency for a file that names none (query on POST, body on import)", async () => {
    const r = await post("fileName=eur.csv&currency=eur", csvOf("EUR shop"));
    expect(r.status).toBe(201);
    const s = await json(r);
    expect(s.currency).toBe("EUR");
    expect(s.currencySource).toBe("user");

    const p = await json(await post("fileName=gbp.csv&preview=1", csvOf("GBP shop")));
    const sha = (p.detection as { sha256: string }).sha256;
    const imp = await importRoute.POST(
      new Request("http://test", { method: "POST", body: JSON.stringify({ fileName: "gbp.csv", currency: "GBP" }) }),
      ctx({ sha256: sha }),
    );
    expect(imp.status).toBe(201);
    expect((await json(imp)).currency).toBe("GBP");
  });

  it("refuses an invalid code (400) and a currency the file contradicts (400, nothing written)", async () => {
    const bad = await post("fileName=x.csv&currency=EURO", csvOf("bad code"));
    expect(bad.status).toBe(400);
    expect((await json(bad)).error?.message).toMatch(/ISO 4217/);

    const before = stored();
    const meta = fs.readFileSync(fixture("meta_ads.csv")); // "Amount spent (EUR)"
    const r = await post("fileName=meta.csv&currency=USD", new Uint8Array(meta));
    expect(r.status).toBe(400);
    const body = await json(r);
    expect(body.error?.code).toBe("currency_conflict");
    expect(body.error?.message).toMatch(/states its amounts are in EUR, but USD was chosen/);
    expect(stored()).toEqual(before);
    const same = await post("fileName=meta.csv&currency=EUR", new Uint8Array(meta));
    expect(same.status).toBe(201);
  });
});

describe("DELETE /api/datasets/:id", () => {
  it("removes the dataset and its stored bytes", async () => {
    const s = await json(await post("fileName=del.csv", csvOf("to delete")));
    const sha = s.sha256 as string;
    expect(stored()).toContain(sha);
    const r = await datasetRoute.DELETE(new Request("http://test", { method: "DELETE" }), ctx({ id: String(s.datasetId) }));
    expect(r.status).toBe(200);
    expect(stored()).not.toContain(sha);
    const again = await datasetRoute.DELETE(new Request("http://test", { method: "DELETE" }), ctx({ id: String(s.datasetId) }));
    expect(again.status).toBe(404);
  });
});
