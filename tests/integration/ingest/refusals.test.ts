import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAppError, type AppError } from "@/lib/errors";
import { detectFile } from "@/lib/ingest/detect";
import { importFile } from "@/lib/ingest/import";
import { storeFile, storeUpload } from "@/lib/ingest/store";
import { count, fixture, sandbox, store, type Sandbox } from "./helpers";

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

/** Stores the bytes, then detects: the refusal, with nothing written to the database. */
async function detectRefusal(bytes: Buffer): Promise<AppError> {
  const stored = await store(sb, bytes);
  const err = await refusal(detectFile(stored.path, { fileName: "x.csv" }));
  const imp = await refusal(
    importFile(sb.db, { path: stored.path, sha256: stored.sha256, fileName: "x.csv", sizeBytes: stored.sizeBytes }),
  );
  expect(imp.code).toBe(err.code);
  expect(count(sb.db, "datasets")).toBe(0);
  return err;
}

const uploadsFiles = () => (fs.existsSync(sb.uploads) ? fs.readdirSync(sb.uploads) : []);

describe("refusals", () => {
  it("refuses an empty upload before storing anything", async () => {
    const err = await refusal(store(sb, Buffer.alloc(0)));
    expect(err.code).toBe("empty_file");
    expect(err.message).toMatch(/empty/);
    expect(uploadsFiles()).toEqual([]);
  });

  it("refuses a file of blank lines as empty", async () => {
    const err = await detectRefusal(Buffer.from("\n\r\n   \n"));
    expect(err.code).toBe("empty_file");
  });

  it("refuses binary data, and names an Excel workbook as such", async () => {
    const nul = await detectRefusal(Buffer.from([0x64, 0x61, 0x74, 0x65, 0x00, 0x01, 0x02, 0x00, 0x63, 0x61, 0x6d, 0x70, 0xff, 0x00, 0x10]));
    expect(nul.code).toBe("binary_file");
    expect(nul.message).toMatch(/not text/);
    const xlsx = await detectRefusal(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]));
    expect(xlsx.code).toBe("binary_file");
    expect(xlsx.message).toMatch(/Excel workbook/);
  });

  it("refuses a header with no data rows", async () => {
    const err = await detectRefusal(fs.readFileSync(fixture("header_only.csv")));
    expect(err.code).toBe("header_only");
    expect(err.message).toMatch(/header row \(date, campaign, impressions/);
  });

  it("refuses unrecognisable headers, listing the headers seen, the template and the mapping way out", async () => {
    const err = await detectRefusal(fs.readFileSync(fixture("unknown_headers.csv")));
    expect(err.code).toBe("unrecognised_format");
    expect(err.message).toMatch(/"Kampagne", "Tag", "Sichtbarkeit", "Klicks", "Käufe", "Kosten"/);
    expect(err.message).toMatch(/date,campaign,impressions,clicks,conversions,spend,revenue/);
    expect(err.message).toMatch(/mapping/);
    expect(err.details?.headers).toEqual(["Kampagne", "Tag", "Sichtbarkeit", "Klicks", "Käufe", "Kosten"]);
    // German headers hold none of the synonyms: the editor starts empty
    expect(err.details?.suggested).toEqual({});
  });

  it("refuses a mapping that names a column the file does not have", async () => {
    const stored = await store(sb, fixture("generic.csv"));
    const err = await refusal(detectFile(stored.path, { fileName: "g.csv", mapping: { clicks: "Link clicks" } }));
    expect(err.code).toBe("unrecognised_format");
    expect(err.message).toMatch(/clicks is in a column "Link clicks", but the file has no such column/);
  });

  it("refuses an upload over the limit as soon as it passes it, leaving no file behind", async () => {
    let chunksPulled = 0;
    const source = (async function* () {
      for (let i = 0; i < 1000; i++) {
        chunksPulled++;
        yield new Uint8Array(100).fill(65);
      }
    })();
    const err = await refusal(storeUpload(source, { uploadsDir: sb.uploads, maxBytes: 250 }));
    expect(err.code).toBe("too_large");
    expect(chunksPulled).toBe(3); // 300 bytes > 250: stopped at the third chunk
    expect(uploadsFiles()).toEqual([]);
    const file = path.join(sb.dir, "big.csv");
    fs.writeFileSync(file, "x".repeat(300));
    expect((await refusal(storeFile(file, { uploadsDir: sb.uploads, maxBytes: 250 }))).code).toBe("too_large");
    expect(uploadsFiles()).toEqual([]);
  });

  it("refuses a file where no row survives, writing nothing but keeping the upload", async () => {
    const bytes = Buffer.from("date,campaign,impressions,clicks\n2026-01-05,A,-1,2\n2026-01-06,,5,1\n");
    const stored = await store(sb, bytes);
    const err = await refusal(
      importFile(sb.db, { path: stored.path, sha256: stored.sha256, fileName: "bad.csv", sizeBytes: stored.sizeBytes }),
    );
    expect(err.code).toBe("no_valid_rows");
    expect(err.message).toMatch(/line 2: "impressions" is negative \(-1\)/);
    expect(err.message).toMatch(/line 3: no campaign/);
    for (const t of ["datasets", "observations", "rejected_rows"]) expect(count(sb.db, t)).toBe(0);
    expect(fs.existsSync(stored.path)).toBe(true);
  });
});
