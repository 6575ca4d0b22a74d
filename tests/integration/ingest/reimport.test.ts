import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importFile } from "@/lib/ingest/import";
import { listRejected, rejectedRowsCsv } from "@/lib/ingest/rejected";
import { count, fixture, sandbox, store, uploadAndImport, type Sandbox } from "./helpers";

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

describe("the same bytes twice", () => {
  it("returns the existing dataset, marked existing, and writes nothing", async () => {
    const first = await uploadAndImport(sb, fixture("generic_messy.csv"));
    const before = { obs: count(sb.db, "observations"), rej: count(sb.db, "rejected_rows"), ds: count(sb.db, "datasets") };
    const again = await uploadAndImport(sb, fixture("generic_messy.csv"), { fileName: "renamed.csv" });
    expect(again.stored.sha256).toBe(first.stored.sha256);
    expect(again.summary.datasetId).toBe(first.summary.datasetId);
    expect(again.summary.existing).toBe(true);
    expect({ ...again.summary, existing: false }).toEqual(first.summary);
    expect({ obs: count(sb.db, "observations"), rej: count(sb.db, "rejected_rows"), ds: count(sb.db, "datasets") }).toEqual(before);
    // the same mapping spelled out is still the same import
    const same = await uploadAndImport(sb, fixture("generic_messy.csv"), { mapping: { clicks: "clicks" } });
    expect(same.summary.existing).toBe(true);
    // stored once, content-addressed
    expect(fs.readdirSync(sb.uploads)).toEqual([first.stored.sha256]);
  });

  it("re-imports into the same dataset when the mapping changes", async () => {
    const first = await uploadAndImport(sb, fixture("ad_level.csv"));
    const idsBefore = sb.db.$client.prepare("SELECT MAX(id) AS m FROM observations").get() as { m: number };
    const again = await uploadAndImport(sb, fixture("ad_level.csv"), { mapping: { conversions: "Approved_Conversion", conversions_alt: null } });
    expect(again.summary.existing).toBe(false);
    expect(again.summary.datasetId).toBe(first.summary.datasetId);
    expect(again.summary.totals.conversions).toBe(8);
    expect(count(sb.db, "datasets")).toBe(1);
    expect(count(sb.db, "observations")).toBe(6);
    // the old rows were replaced, not kept beside the new ones
    const ids = sb.db.$client.prepare("SELECT MIN(id) AS lo FROM observations").get() as { lo: number };
    expect(ids.lo).toBeGreaterThan(idsBefore.m);
    const stored = sb.db.$client.prepare("SELECT mapping_json FROM datasets").get() as { mapping_json: string };
    expect(JSON.parse(stored.mapping_json).conversions).toBe("Approved_Conversion");
    // and importing with that mapping once more is the existing dataset
    const third = await uploadAndImport(sb, fixture("ad_level.csv"), { mapping: { conversions: "Approved_Conversion", conversions_alt: null } });
    expect(third.summary.existing).toBe(true);
  });

  it("gives one dataset when the same bytes are imported twice at once", async () => {
    const stored = await store(sb, fixture("generic.csv"));
    const opts = { path: stored.path, sha256: stored.sha256, fileName: "g.csv", sizeBytes: stored.sizeBytes };
    const [a, b] = await Promise.all([importFile(sb.db, opts), importFile(sb.db, opts)]);
    expect(a.datasetId).toBe(b.datasetId);
    expect([a.existing, b.existing].sort()).toEqual([false, true]);
    expect(count(sb.db, "observations")).toBe(7);
  });
});

describe("a failure mid-import", () => {
  it("leaves no dataset, observations or rejected rows", async () => {
    const lines = ["date,campaign,impressions,clicks,conversions,spend"];
    for (let i = 0; i < 60_000; i++) lines.push(`2026-01-${String(1 + (i % 28)).padStart(2, "0")},C${i % 5},1000,${i % 50 === 0 ? -1 : 10},1,2.5`);
    const bytes = Buffer.from(lines.join("\n") + "\n");
    let calls = 0;
    await expect(
      uploadAndImport(sb, bytes, {
        onProgress: (p) => {
          calls++;
          if (p.rowsDone > 0) throw new Error("simulated crash after the first batch");
        },
      }),
    ).rejects.toThrow("simulated crash");
    expect(calls).toBe(1);
    for (const t of ["datasets", "dataset_uploads", "observations", "rejected_rows", "orders"]) expect(count(sb.db, t)).toBe(0);
    // the index dropped for the bulk load is back (the rollback restored the schema)
    const idx = sb.db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'observations' ORDER BY name").all();
    expect(idx).toEqual([{ name: "observations_live" }, { name: "observations_replaced" }]);
    // and the same file imports cleanly afterwards
    const ok = await uploadAndImport(sb, bytes);
    expect(ok.summary.rowsImported).toBe(60_000 - 1200);
    expect(ok.summary.rowsRejected).toBe(1200);
    expect(count(sb.db, "observations")).toBe(58_800);
  });

  it("reports progress in bytes and rows while it runs", async () => {
    const lines = ["date,campaign,impressions,clicks,conversions,spend"];
    for (let i = 0; i < 40_000; i++) lines.push(`2026-02-${String(1 + (i % 28)).padStart(2, "0")},C${i % 5},1000,10,1,2.5`);
    const seen: { rowsDone: number; bytesDone: number; bytesTotal: number }[] = [];
    const { stored } = await uploadAndImport(sb, Buffer.from(lines.join("\n")), { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.rowsDone).toBeGreaterThanOrEqual(seen[i - 1]!.rowsDone);
      expect(seen[i]!.bytesDone).toBeGreaterThanOrEqual(seen[i - 1]!.bytesDone);
    }
    expect(seen.at(-1)).toEqual({ rowsDone: 40_000, bytesDone: stored.sizeBytes, bytesTotal: stored.sizeBytes });
  });
});

describe("rejected rows", () => {
  it("are listed with line numbers and exported as formula-safe CSV", async () => {
    const bytes = Buffer.from(
      "date,campaign,impressions,clicks,conversions,spend\n" +
        "2026-01-05,Brand,100,10,1,2.5\n" +
        '2026-01-05,"=HYPERLINK(""http://x"")",-100,10,1,2.5\n' +
        "2026-01-06,Brand,100,ten,1,2.5\n",
    );
    const { summary } = await uploadAndImport(sb, bytes);
    const page = listRejected(sb.db, summary.datasetId, { limit: 1 });
    expect(page.total).toBe(2);
    expect(page.rows).toEqual([
      { line: 3, reason: '"impressions" is negative (-100)', raw: '2026-01-05,"=HYPERLINK(""http://x"")",-100,10,1,2.5' },
    ]);
    const csv = rejectedRowsCsv(sb.db, summary.datasetId);
    expect(csv).toBe(
      "line,reason,raw\r\n" +
        '3,"""impressions"" is negative (-100)","2026-01-05,""=HYPERLINK(""""http://x"""")"",-100,10,1,2.5"\r\n' +
        '4,"""clicks"": ""ten"" is not a number","2026-01-06,Brand,100,ten,1,2.5"\r\n',
    );
  });

  it("export in pages without losing or repeating a row", async () => {
    const lines = ["date,campaign,impressions,clicks,conversions,spend", "2026-01-05,Ok,1,1,0,0"];
    for (let i = 0; i < 2500; i++) lines.push(`2026-01-05,Bad,${i},x,0,0`);
    const { summary } = await uploadAndImport(sb, Buffer.from(lines.join("\n")));
    const csv = rejectedRowsCsv(sb.db, summary.datasetId).trimEnd().split("\r\n");
    expect(csv).toHaveLength(2501);
    expect(csv[1]?.startsWith("3,")).toBe(true);
    expect(csv.at(-1)?.startsWith("2502,")).toBe(true);
    expect(new Set(csv).size).toBe(2501);
  });
});

describe("where the upload lives", () => {
  it("is uploads/<sha256> and survives a re-import", async () => {
    const { stored } = await uploadAndImport(sb, fixture("orders.csv"));
    expect(stored.path).toBe(path.join(sb.uploads, stored.sha256));
    expect(fs.readFileSync(stored.path)).toEqual(fs.readFileSync(fixture("orders.csv")));
  });
});
