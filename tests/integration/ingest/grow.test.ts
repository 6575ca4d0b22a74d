import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { dataRevision, getObservationsByCampaign } from "@/db/queries";
import { listUploads, REPLACED_BY_UPLOAD } from "@/db/uploads";
import { importFile } from "@/lib/ingest/import";
import { removeUpload } from "@/lib/ingest/uploads";
import type { ImportSummary } from "@/lib/types/ingest";
import { count, databaseBefore, sandbox, store, type Sandbox } from "./helpers";

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

/** One generic-template row: [date, campaign, impressions, clicks, conversions, spend, revenue]. */
type Row = [string, string, number, number, number, number, number];

const day = (d: number) => `2026-03-${String(d).padStart(2, "0")}`;

/** Rows for days [from, to] of the campaigns, figures made distinct by `seed` so a replaced row is told apart. */
function rows(from: number, to: number, campaigns: string[], seed: number): Row[] {
  const out: Row[] = [];
  for (let d = from; d <= to; d++)
    for (const [i, c] of campaigns.entries()) out.push([day(d), c, 1000 + d, 100 + d + seed, (d + i + seed) % 5, 50 + d + seed, 20 * ((d + i + seed) % 5)]);
  return out;
}

const csv = (rs: Row[], extraHeader = "", extraCell = "") =>
  Buffer.from(`date,campaign,impressions,clicks,conversions,spend,revenue${extraHeader}\n${rs.map((r) => r.join(",") + extraCell).join("\n")}\n`);

async function importBytes(bytes: Buffer, opts: { into?: number; currency?: string; fileName?: string } = {}): Promise<ImportSummary> {
  const stored = await store(sb, bytes);
  return importFile(sb.db, {
    path: stored.path,
    sha256: stored.sha256,
    fileName: opts.fileName ?? "export.csv",
    sizeBytes: stored.sizeBytes,
    currency: opts.currency,
    intoDatasetId: opts.into,
  });
}

/** What the analysis reads: campaign -> rows [start, end, impressions, clicks, conversions, spend, revenue]. */
function live(datasetId: number) {
  return [...getObservationsByCampaign(sb.db, datasetId)];
}

/** The independent model of the rule: replay the files in order, the later row for a (date, campaign) wins. */
function replay(...files: Row[][]): { campaign: string; rows: unknown[][] }[] {
  const byKey = new Map<string, Row>();
  for (const f of files) {
    const keys = new Set(f.map((r) => `${r[0]}|${r[1]}`));
    for (const k of keys) byKey.delete(k);
    for (const r of f) byKey.set(`${r[0]}|${r[1]}`, r);
  }
  const campaigns = [...new Set([...byKey.values()].map((r) => r[1]))].sort();
  return campaigns.map((c) => ({
    campaign: c,
    rows: [...byKey.values()]
      .filter((r) => r[1] === c)
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map((r) => [r[0], r[0], r[2], r[3], r[4], r[5], r[6]]),
  }));
}

const sums = (rs: Row[]) => ({
  rows: rs.length,
  impressions: rs.reduce((s, r) => s + r[2], 0),
  clicks: rs.reduce((s, r) => s + r[3], 0),
  conversions: rs.reduce((s, r) => s + r[4], 0),
  spend: rs.reduce((s, r) => s + r[5], 0),
  revenue: rs.reduce((s, r) => s + r[6], 0),
});

const A = rows(1, 7, ["alpha", "beta"], 0);
const B = rows(5, 10, ["alpha"], 7);
const C = rows(2, 3, ["alpha", "beta"], 3);

describe("a newer export into a dataset", () => {
  it("replaces the rows of the same date and campaign, keeps the others, and reports what changed", async () => {
    const a = await importBytes(csv(A));
    const rev = dataRevision(sb.db);
    const b = await importBytes(csv(B), { into: a.datasetId });
    expect(b.datasetId).toBe(a.datasetId);
    expect(b.existing).toBe(false);
    // alpha 05..07 replaced (3 rows), alpha 08..10 new (3 rows)
    expect(b.upload).toMatchObject({ rowsAdded: 3, rowsReplaced: 3, backfill: false });
    // totals are exact sums of integers here: compared exactly
    const expected = replay(A, B);
    const liveRows = expected.flatMap((c) => c.rows.map((r) => [r[0], c.campaign, r[2], r[3], r[4], r[5], r[6]] as Row));
    expect(b.upload?.totalsBefore).toEqual(sums(A));
    expect(b.upload?.totalsAfter).toEqual(sums(liveRows));
    expect(live(a.datasetId)).toEqual(expected);
    expect(dataRevision(sb.db)).toBe(rev + 1);
    // the older versions are kept, not deleted
    expect(count(sb.db, "observations")).toBe(A.length + B.length);
    expect(count(sb.db, "datasets")).toBe(1);
    // the dataset's own figures follow its live rows
    const ds = sb.db.$client.prepare("SELECT period_start, period_end, rows_imported FROM datasets").get();
    expect(ds).toEqual({ period_start: day(1), period_end: day(10), rows_imported: liveRows.length });
    // its uploads, newest first, with what each changed
    const ups = listUploads(sb.db.$client, a.datasetId);
    expect(ups.map((u) => [u.rowsImported, u.rowsAdded, u.rowsReplaced, u.first])).toEqual([
      [B.length, 3, 3, false],
      [A.length, A.length, 0, true],
    ]);
  });

  it("takes an export that ends before the dataset's last day as a back-fill of only the dates it covers", async () => {
    const a = await importBytes(csv(A));
    await importBytes(csv(B), { into: a.datasetId });
    const c = await importBytes(csv(C), { into: a.datasetId });
    expect(c.upload).toMatchObject({ backfill: true, rowsAdded: 0, rowsReplaced: 4 });
    expect(c.upload?.rule).toContain("back-fill");
    expect(live(a.datasetId)).toEqual(replay(A, B, C));
  });

  it("changes nothing when the same bytes come again, and names the earlier upload", async () => {
    const a = await importBytes(csv(A));
    const b = await importBytes(csv(B), { into: a.datasetId });
    const rev = dataRevision(sb.db);
    const n = count(sb.db, "observations");
    const again = await importBytes(csv(B), { into: a.datasetId, fileName: "renamed.csv" });
    expect(again.existing).toBe(true);
    expect(again.upload?.uploadId).toBe(b.upload?.uploadId);
    expect(again.upload?.rule).toContain(`upload ${b.upload?.uploadId}`);
    expect({ rev: dataRevision(sb.db), n, uploads: listUploads(sb.db.$client, a.datasetId).length }).toEqual({
      rev,
      n: count(sb.db, "observations"),
      uploads: 2,
    });
    // the file that made the dataset, into it again: also nothing
    expect((await importBytes(csv(A), { into: a.datasetId })).existing).toBe(true);
  });

  it("refuses a file in another currency, and an order list, writing nothing", async () => {
    const a = await importBytes(csv(A), { currency: "USD" });
    const before = { obs: count(sb.db, "observations"), up: count(sb.db, "dataset_uploads"), rev: dataRevision(sb.db) };
    await expect(importBytes(csv(B), { into: a.datasetId, currency: "EUR" })).rejects.toMatchObject({ code: "currency_conflict" });
    await expect(importBytes(csv(B, ",currency", ",EUR"), { into: a.datasetId })).rejects.toMatchObject({
      code: "currency_conflict",
      message: expect.stringContaining("EUR") as unknown,
    });
    const orders = Buffer.from("date,campaign,order_id,value\n2026-03-09,alpha,o1,25\n");
    await expect(importBytes(orders, { into: a.datasetId })).rejects.toMatchObject({ code: "upload_conflict" });
    await expect(importBytes(csv(B), { into: 999 })).rejects.toMatchObject({ code: "not_found" });
    expect({ obs: count(sb.db, "observations"), up: count(sb.db, "dataset_uploads"), rev: dataRevision(sb.db) }).toEqual(before);
    // a file naming no currency is read in the dataset's
    const ok = await importBytes(csv(B), { into: a.datasetId });
    expect(ok.currency).toBe("USD");
  });

  it("serialises two uploads into one dataset at once: the result is the two applied one after the other", async () => {
    const a = await importBytes(csv(A));
    const [sb1, sc] = await Promise.all([store(sb, csv(B)), store(sb, csv(C))]);
    const run = (s: typeof sb1) =>
      importFile(sb.db, { path: s.path, sha256: s.sha256, fileName: "x.csv", sizeBytes: s.sizeBytes, intoDatasetId: a.datasetId });
    const [b, c] = await Promise.all([run(sb1), run(sc)]);
    expect(b.upload?.uploadId).not.toBe(c.upload?.uploadId);
    // whichever was written first, the later one wins on the overlap, and its "before" is the first one's "after"
    const [first, second, firstRows, secondRows] = b.upload!.uploadId < c.upload!.uploadId ? [b, c, B, C] : [c, b, C, B];
    expect(second.upload?.totalsBefore).toEqual(first.upload?.totalsAfter);
    expect(live(a.datasetId)).toEqual(replay(A, firstRows, secondRows));
  });
});

describe("removing an upload", () => {
  it("gives back the dataset exactly as it was without it", async () => {
    const alone = await importBytes(csv(A));
    const onlyA = live(alone.datasetId);
    const b = await importBytes(csv(B), { into: alone.datasetId });
    expect(live(alone.datasetId)).not.toEqual(onlyA);
    const rev = dataRevision(sb.db);
    expect(await removeUpload(sb.db, sb.dbPath, alone.datasetId, b.upload!.uploadId)).toBe(true);
    expect(live(alone.datasetId)).toEqual(onlyA);
    expect(count(sb.db, "observations")).toBe(A.length);
    expect(dataRevision(sb.db)).toBe(rev + 1);
    const ds = sb.db.$client.prepare("SELECT period_end, rows_imported, summary_json FROM datasets").get() as Record<string, string | number>;
    expect([ds.period_end, ds.rows_imported]).toEqual([day(7), A.length]);
    expect((JSON.parse(ds.summary_json as string) as ImportSummary).totals).toMatchObject({ clicks: sums(A).clicks });
    // its bytes are gone from storage (nothing else uses them), the first file's stay
    expect(fs.readdirSync(sb.uploads)).toEqual([alone.sha256]);
    // gone already: false; the first upload goes only with the dataset
    expect(await removeUpload(sb.db, sb.dbPath, alone.datasetId, b.upload!.uploadId)).toBe(false);
    const first = listUploads(sb.db.$client, alone.datasetId)[0]!;
    await expect(removeUpload(sb.db, sb.dbPath, alone.datasetId, first.id)).rejects.toMatchObject({ code: "upload_conflict" });
  });

  it("removes a middle upload of three: the rows it replaced go to the later one's, or come back", async () => {
    const a = await importBytes(csv(A));
    const b = await importBytes(csv(B), { into: a.datasetId });
    const B2 = rows(6, 12, ["alpha", "beta"], 11);
    await importBytes(csv(B2), { into: a.datasetId });
    await removeUpload(sb.db, sb.dbPath, a.datasetId, b.upload!.uploadId);
    expect(live(a.datasetId)).toEqual(replay(A, B2));
    // and the dataset now grows from there as if B had never come
    await importBytes(csv(C), { into: a.datasetId });
    expect(live(a.datasetId)).toEqual(replay(A, B2, C));
  });
});

describe("the plan of finding the rows an upload replaces", () => {
  it("walks the upload's rows by id and looks each key up in the live rows' index, never the other way round", async () => {
    const a = await importBytes(csv(A));
    await importBytes(csv(B), { into: a.datasetId });
    // the count of matched rows, and the UPDATE that marks them (whose subquery the planner would turn round)
    for (const sql of [`SELECT count(DISTINCT n.id) ${REPLACED_BY_UPLOAD}`, `UPDATE observations SET superseded_by = @u WHERE id IN (SELECT o.id ${REPLACED_BY_UPLOAD})`]) {
      const plan = sb.db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ first: 1, d: a.datasetId, u: 1 }) as { detail: string }[];
      const steps = plan.map((p) => p.detail).filter((d) => /^(SCAN|SEARCH) [no]\b/.test(d));
      // the other order scans the upload's range once for every live row: 25 s for a weekly export into a year
      expect(steps).toHaveLength(2);
      expect(steps[0]).toMatch(/^SEARCH n USING INTEGER PRIMARY KEY \(rowid>\?\)/);
      expect(steps[1]).toMatch(/^SEARCH o USING INDEX observations_live \(dataset_id=\? AND campaign=\? AND period_start=\?/);
    }
  });
});

describe("the migration", () => {
  it("turns each dataset made before it into one upload with its rows tagged", () => {
    // the migrations before 0003 only, then a dataset written the old way, then all migrations
    const { file, openOld } = databaseBefore("0003", sb.dir);
    const old = openOld();
    old.$client.exec(
      `INSERT INTO datasets (id, name, file_name, source_format, sha256, size_bytes, mapping_json, summary_json, rows_imported)
       VALUES (5, 'old', 'old.csv', 'generic', 'abc', 10, '{}', '{}', 2);
       INSERT INTO observations (dataset_id, campaign, period_start, period_end, clicks, conversions, spend, line)
       VALUES (5, 'x', '2026-01-01', '2026-01-01', 10, 1, 3.5, 2), (5, 'x', '2026-01-02', '2026-01-02', 20, 0, 4.25, 3);`,
    );
    old.$client.close();
    const db = openDatabase(file);
    try {
      const ups = listUploads(db.$client, 5);
      expect(ups).toHaveLength(1);
      expect(ups[0]).toMatchObject({ sha256: "abc", rowsImported: 2, first: true, totalsAfter: { rows: 2, clicks: 30, spend: 7.75 } });
      const tagged = db.$client.prepare("SELECT count(*) FROM observations WHERE upload_id = ? AND superseded_by IS NULL").pluck().get(ups[0]!.id);
      expect(tagged).toBe(2);
    } finally {
      db.$client.close();
    }
  });
});
