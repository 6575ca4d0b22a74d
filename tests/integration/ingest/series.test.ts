import Database from "better-sqlite3";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUSY_TIMEOUT_MS, openDatabase, type Db } from "@/db/client";
import { bumpDataRevision, deleteDataset, getObservationsByCampaign, type CampaignObservationRow } from "@/db/queries";
import { forgetSeries, readSeries, SeriesBuilder, storeSeries } from "@/db/series";
import { importFile } from "@/lib/ingest/import";
import { loadSampleData } from "@/lib/ingest/sample";
import { removeUpload } from "@/lib/ingest/uploads";
import type { ImportSummary } from "@/lib/types/ingest";
import { fixture, sandbox, store, uploadAndImport, type Sandbox } from "./helpers";

/*
 * The campaign series (db/series.ts): a packed copy of a dataset's live rows that getObservationsByCampaign serves
 * from once a full read has stored it. Whatever it serves must be exactly what the SQL read yields, and no write may
 * leave an old copy behind.
 */

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

type Campaigns = { campaign: string; rows: CampaignObservationRow[] }[];

/**
 * The live rows straight from SQL, grouped here (the reference every read is checked against): campaigns in
 * SQLite's BINARY order, rows by period then id, raw arrays of the same columns.
 */
function reference(db: Db, datasetId: number, only?: readonly string[]): Campaigns {
  const rows = db.$client
    .prepare(
      `SELECT campaign, period_start, period_end, impressions, clicks, conversions, spend, revenue FROM observations
       WHERE dataset_id = ? AND superseded_by IS NULL ORDER BY campaign, period_start, id`,
    )
    .raw(true)
    .all(datasetId) as [string, ...CampaignObservationRow][];
  const out: Campaigns = [];
  for (const [campaign, ...row] of rows) {
    if (only && !only.includes(campaign)) continue;
    const last = out[out.length - 1];
    if (last && last.campaign === campaign) last.rows.push(row as CampaignObservationRow);
    else out.push({ campaign, rows: [row as CampaignObservationRow] });
  }
  return out;
}

/** A dataset row with no upload, for rows written straight into observations. */
function rawDataset(db: Db, key: string): number {
  return Number(
    db.$client
      .prepare(
        `INSERT INTO datasets (name, file_name, source_format, sha256, size_bytes, mapping_json, summary_json)
         VALUES (?, 'raw.csv', 'generic', ?, 0, '{}', '{}')`,
      )
      .run(key, `raw-${key}`).lastInsertRowid,
  );
}

const read = (db: Db, datasetId: number, only?: readonly string[]): Campaigns => [...getObservationsByCampaign(db, datasetId, only)];
const hasSeries = (db: Db, datasetId: number): boolean =>
  db.$client.prepare("SELECT count(*) FROM campaign_series WHERE dataset_id = ?").pluck().get(datasetId) === 1;

/**
 * Reads a dataset from SQL (storing its series), then from the series, and checks both against the reference and
 * each other; the series is shown to be what answered by changing a row behind its back (no forgetSeries), which
 * the series does not see and the SQL read does.
 */
function checkServedFromSeries(db: Db, datasetId: number, onlys: (readonly string[])[] = []): void {
  forgetSeries(db.$client, datasetId);
  const viaSql = read(db, datasetId);
  expect(viaSql.length).toBeGreaterThan(0);
  expect(viaSql).toStrictEqual(reference(db, datasetId));
  expect(hasSeries(db, datasetId)).toBe(true);
  expect(read(db, datasetId)).toStrictEqual(viaSql);
  for (const only of onlys) {
    expect(read(db, datasetId, only)).toStrictEqual(reference(db, datasetId, only));
  }
  const id = db.$client.prepare("SELECT min(id) FROM observations WHERE dataset_id = ? AND superseded_by IS NULL").pluck().get(datasetId);
  db.$client.prepare("UPDATE observations SET clicks = clicks + 1000 WHERE id = ?").run(id);
  expect(read(db, datasetId)).toStrictEqual(viaSql);
  forgetSeries(db.$client, datasetId);
  expect(read(db, datasetId)).not.toStrictEqual(viaSql);
  db.$client.prepare("UPDATE observations SET clicks = clicks - 1000 WHERE id = ?").run(id);
  forgetSeries(db.$client, datasetId);
}

/** Stores and imports a CSV text as a new dataset, or into dataset `into`. */
async function importBytes(text: string, opts: { into?: number } = {}): Promise<ImportSummary> {
  const stored = await store(sb, Buffer.from(text));
  return importFile(sb.db, { path: stored.path, sha256: stored.sha256, fileName: "export.csv", sizeBytes: stored.sizeBytes, intoDatasetId: opts.into });
}

/** Names whose order differs between SQLite's BINARY (UTF-8 bytes) and JS's sort (UTF-16 units) or a locale's. */
const AWKWARD_NAMES = ["a", "B", "é", "Z", "10", "9", "ｚ fullwidth", "😀 launch"];

function awkwardCsv(): string {
  const lines = ["date,campaign,ad,impressions,clicks,conversions,spend,revenue"];
  AWKWARD_NAMES.forEach((name, i) => {
    for (let d = 1; d <= 6; d++) {
      const date = `2026-04-0${d}`;
      // unknown impressions on some days, revenue missing on others, fractional conversions (attribution)
      const impressions = d === 2 ? "" : String(1000 * (i + 1) + d);
      const revenue = d === 3 ? "" : (d * 12.35 + i).toFixed(2);
      lines.push(`${date},${name},ad-1,${impressions},${10 + d},${(d % 3) / 2},${(d * 1.1 + i).toFixed(2)},${revenue}`);
      // a second segment of the same campaign and day
      if (d % 2 === 0) lines.push(`${date},${name},ad-2,${500 + d},${3 + d},1,${(0.37 * d).toFixed(2)},0`);
    }
  });
  return lines.join("\n") + "\n";
}

describe("a read served from the campaign series", () => {
  it("is the SQL read exactly for the sample data, with and without `only`", async () => {
    const [daily] = await loadSampleData(sb.db, sb.dbPath);
    const names = reference(sb.db, daily!.datasetId).map((c) => c.campaign);
    expect(names.length).toBeGreaterThan(2);
    checkServedFromSeries(sb.db, daily!.datasetId, [[names[2]!, names[0]!], [names[1]!, "no such campaign"], []]);
  });

  it("is the SQL read exactly for undated rows, many-decimal amounts and missing values", async () => {
    for (const file of ["ad_level.csv", "missing_markers.csv", "generic_weekly.csv", "google_ads_campaign_report.csv"]) {
      const { summary } = await uploadAndImport(sb, fixture(file));
      checkServedFromSeries(sb.db, summary.datasetId);
    }
    // the fixtures hold what the layout must carry: undated rows, unknown impressions and revenue, periods of a week
    const nulls = sb.db.$client
      .prepare("SELECT sum(period_start IS NULL), sum(impressions IS NULL), sum(revenue IS NULL), sum(period_end <> period_start) FROM observations")
      .raw(true)
      .get() as number[];
    expect(nulls.every((n) => n > 0)).toBe(true);
  });

  it("keeps SQLite's name order, segments, fractional conversions and null cells", async () => {
    const s = await importBytes(awkwardCsv());
    const sql = reference(sb.db, s.datasetId);
    expect(sql.map((c) => c.campaign)).toEqual(["10", "9", "B", "Z", "a", "é", "ｚ fullwidth", "😀 launch"]);
    // JS's own sort puts the emoji before the fullwidth letter: the series keeps SQLite's order, not a re-sort
    expect([...AWKWARD_NAMES].sort().slice(-2)).toEqual(["😀 launch", "ｚ fullwidth"]);
    checkServedFromSeries(sb.db, s.datasetId, [["😀 launch", "a", "10"], ["é"]]);
  });

  it("gives back every stored number exactly: counts, cents, doubles, huge and tiny values, each integer width, NULL", () => {
    const cases: [string, (number | null)[]][] = [
      // integral for a while, then cents: the column is packed again with 2 decimals
      ["cents later", [1, 2, 3, 4.25, 5]],
      // cents that fit, then an amount whose cents leave the Int32 range: stored as doubles
      ["overflow", [0.05, 30_000_000.01]],
      ["doubles", [0.1 + 0.2, 1 / 3, 1e-9, 123.4567891]],
      ["huge", [3e9, 2 ** 53, -2147483648, 2147483647]],
      // the edges of each integer width, whose minimum marks NULL
      ["one byte", [-127, 127, null]],
      ["two bytes", [-128, 5, null]],
      ["two bytes, edges", [32767, -32767, 0.5, null]],
      ["four bytes", [-32768, 1]],
      // the Int32 minimum marks NULL: a count of it is stored as a double
      ["int32 minimum", [-2147483648, 5, null]],
      ["micros", [1.234567, 2000]],
      ["nulls", [null, 0, null, 7.5]],
    ];
    for (const [campaign, values] of cases) {
      const id = rawDataset(sb.db, campaign);
      const insert = sb.db.$client.prepare(
        `INSERT INTO observations (dataset_id, campaign, period_start, period_end, impressions, clicks, conversions, spend, revenue, line)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 2)`,
      );
      values.forEach((v, i) => insert.run(id, campaign, `2026-02-0${i + 1}`, `2026-02-0${i + 1}`, v, v ?? 0, v ?? 0, v === null ? 0 : -v, v));
      checkServedFromSeries(sb.db, id);
    }
  });

  it("is the SQL read exactly when the dataset's row count is not known and the columns grow", () => {
    // no rows_imported on the dataset row: the packing starts small and grows several times over 9,000 rows
    const id = rawDataset(sb.db, "grows");
    const insert = sb.db.$client.prepare(
      `INSERT INTO observations (dataset_id, campaign, period_start, period_end, impressions, clicks, conversions, spend, revenue, line)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 2)`,
    );
    sb.db.$client.transaction(() => {
      for (let i = 0; i < 9000; i++) {
        const date = new Date(Date.UTC(2020, 0, 1) + (i % 3000) * 86_400_000).toISOString().slice(0, 10);
        insert.run(id, `c${i % 3}`, date, date, i % 7 === 0 ? null : 1000 + i, i % 50, (i % 9) / 4, i / 100, i % 11 === 0 ? null : i * 1.25);
      }
    })();
    checkServedFromSeries(sb.db, id);
  });

  it("is not stored when a column holds what its layout cannot (SQLite's typing allows it), and the read is still right", async () => {
    const csv = "date,campaign,impressions,clicks,conversions,spend,revenue\n2026-01-01,A,10,5,1,3,9\n2026-01-01,B,10,5,1,3,9\n2026-01-02,B,11,6,0,3,0\n";
    const text = await importBytes(csv);
    const blob = await importBytes(csv.replaceAll(",B,", ",C,"));
    // text in a count column, a blob for a date: both in the last campaign, after one that packs well
    sb.db.$client.prepare("UPDATE observations SET clicks = 'n/a' WHERE dataset_id = ? AND campaign = 'B' AND period_start = '2026-01-02'").run(text.datasetId);
    sb.db.$client.prepare("UPDATE observations SET period_end = x'00' WHERE dataset_id = ? AND campaign = 'C'").run(blob.datasetId);
    for (const id of [text.datasetId, blob.datasetId]) {
      const got = read(sb.db, id);
      expect(got).toStrictEqual(reference(sb.db, id));
      expect(hasSeries(sb.db, id)).toBe(false);
    }
    expect(read(sb.db, text.datasetId)[1]!.rows[1]![3]).toBe("n/a");
  });

  it("gives back a -0 (never in a typed column, but the layout does not rely on it)", () => {
    const db = openDatabase(":memory:");
    try {
      const id = rawDataset(db, "zero");
      const rows: CampaignObservationRow[] = [
        ["2026-01-01", "2026-01-01", -0, 0, -0, 1.5, -0],
        ["2026-01-02", "2026-01-02", 3, 4, 0, -0, null],
      ];
      const builder = new SeriesBuilder();
      builder.add("zero", rows);
      expect(storeSeries(db.$client, id, builder.finish()!, () => true)).toBe(true);
      const got = [...readSeries(db.$client, id)!.campaigns()];
      expect(got).toStrictEqual([{ campaign: "zero", rows }]);
      expect(Object.is(got[0]!.rows[0]![2], -0) && Object.is(got[0]!.rows[1]![5], -0)).toBe(true);
    } finally {
      db.$client.close();
    }
  });

  it("is the SQL read exactly for generated rows (property)", () => {
    const db = openDatabase(":memory:");
    try {
      let k = 0;
      const value = fc.oneof(
        fc.constant(null),
        fc.integer({ min: -5, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }).map((c) => c / 100),
        fc.double({ noNaN: true }),
      );
      const row = fc.tuple(
        fc.constantFrom("a", "B", "é", "Z", "😀", "ｚ", ""),
        fc.option(fc.integer({ min: 1, max: 28 }), { nil: null }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(value, { minLength: 5, maxLength: 5 }),
      );
      fc.assert(
        fc.property(fc.array(row, { minLength: 1, maxLength: 60 }), (rows) => {
          const id = rawDataset(db, `property-${k++}`);
          const insert = db.$client.prepare(
            `INSERT INTO observations (dataset_id, campaign, period_start, period_end, impressions, clicks, conversions, spend, revenue, line)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 2)`,
          );
          for (const [campaign, day, length, v] of rows) {
            const start = day === null ? null : `2026-03-${String(day).padStart(2, "0")}`;
            const end = day === null ? null : `2026-03-${String(day + length).padStart(2, "0")}`;
            insert.run(id, campaign, start, end, v[0], v[1] ?? 0, v[2] ?? 0, v[3] ?? 0, v[4]);
          }
          const viaSql = read(db, id);
          expect(viaSql).toStrictEqual(reference(db, id));
          expect(hasSeries(db, id)).toBe(true);
          expect(read(db, id)).toStrictEqual(viaSql);
        }),
        { numRuns: 60, seed: 20261207 },
      );
    } finally {
      db.$client.close();
    }
  });
});

const day = (d: number) => `2026-03-${String(d).padStart(2, "0")}`;
/** A daily export of the campaigns over days [from, to], figures made distinct by `seed` so a replaced row is told apart. */
function dailyCsv(from: number, to: number, campaigns: string[], seed: number): string {
  const lines = ["date,campaign,impressions,clicks,conversions,spend,revenue"];
  for (let d = from; d <= to; d++) {
    for (const [i, c] of campaigns.entries()) {
      const conversions = (d + i + seed) % 5;
      lines.push(`${day(d)},${c},${1000 + d},${100 + d + seed},${conversions},${50 + d + seed}.25,${20 * conversions}`);
    }
  }
  return lines.join("\n") + "\n";
}

describe("every write that changes the live rows drops the series in its transaction", () => {
  it("an append that supersedes rows, then removing it (the rows come back)", async () => {
    const first = await importBytes(dailyCsv(1, 7, ["alpha", "beta"], 0));
    const id = first.datasetId;
    const before = read(sb.db, id);
    expect(hasSeries(sb.db, id)).toBe(true);

    const grown = await importBytes(dailyCsv(5, 10, ["alpha"], 7), { into: id });
    expect(grown.upload!.rowsReplaced).toBeGreaterThan(0);
    expect(hasSeries(sb.db, id)).toBe(false);
    const after = read(sb.db, id);
    expect(after).toStrictEqual(reference(sb.db, id));
    expect(after).not.toStrictEqual(before);
    // built again from the grown rows, and served
    expect(hasSeries(sb.db, id)).toBe(true);
    expect(read(sb.db, id)).toStrictEqual(after);

    expect(await removeUpload(sb.db, sb.dbPath, id, grown.upload!.uploadId)).toBe(true);
    expect(hasSeries(sb.db, id)).toBe(false);
    expect(read(sb.db, id)).toStrictEqual(before);
    expect(read(sb.db, id)).toStrictEqual(reference(sb.db, id));
  });

  it("a re-import of the same bytes with another mapping", async () => {
    const { summary } = await uploadAndImport(sb, fixture("ad_level.csv"));
    const before = read(sb.db, summary.datasetId);
    expect(hasSeries(sb.db, summary.datasetId)).toBe(true);
    const again = await uploadAndImport(sb, fixture("ad_level.csv"), { mapping: { conversions: "Approved_Conversion", conversions_alt: null } });
    expect(again.summary.datasetId).toBe(summary.datasetId);
    expect(hasSeries(sb.db, summary.datasetId)).toBe(false);
    const after = read(sb.db, summary.datasetId);
    expect(after).toStrictEqual(reference(sb.db, summary.datasetId));
    expect(after).not.toStrictEqual(before);
  });

  it("deleting the dataset, through deleteDataset and through the foreign key's cascade", async () => {
    const a = await importBytes(dailyCsv(1, 3, ["alpha"], 0));
    const b = await importBytes(dailyCsv(1, 3, ["beta"], 1));
    read(sb.db, a.datasetId);
    read(sb.db, b.datasetId);
    expect(hasSeries(sb.db, a.datasetId) && hasSeries(sb.db, b.datasetId)).toBe(true);
    expect(deleteDataset(sb.db, a.datasetId)).not.toBeNull();
    expect(hasSeries(sb.db, a.datasetId)).toBe(false);
    expect(read(sb.db, a.datasetId)).toEqual([]);
    // the dataset row alone (foreign keys are on for the app's connection): the cascade takes the series
    expect(sb.db.$client.pragma("foreign_keys", { simple: true })).toBe(1);
    sb.db.$client.prepare("DELETE FROM datasets WHERE id = ?").run(b.datasetId);
    expect(hasSeries(sb.db, b.datasetId)).toBe(false);
  });
});

describe("storing a series", () => {
  it("stores nothing when a write commits between the start of the read and its end", async () => {
    const s = await importBytes(dailyCsv(1, 4, ["alpha", "beta", "gamma"], 0));
    const reading = getObservationsByCampaign(sb.db, s.datasetId);
    const got = [reading.next().value!];
    bumpDataRevision(sb.db.$client);
    for (const c of reading) got.push(c);
    expect(got).toStrictEqual(reference(sb.db, s.datasetId));
    expect(hasSeries(sb.db, s.datasetId)).toBe(false);
    // the same read without the write does store it
    read(sb.db, s.datasetId);
    expect(hasSeries(sb.db, s.datasetId)).toBe(true);
  });

  it("stores nothing for a read given up before its end, or a read with `only` or a source", async () => {
    const s = await importBytes(dailyCsv(1, 4, ["alpha", "beta"], 0));
    const reading = getObservationsByCampaign(sb.db, s.datasetId);
    reading.next();
    reading.next();
    reading.return(undefined);
    expect(hasSeries(sb.db, s.datasetId)).toBe(false);
    read(sb.db, s.datasetId, ["alpha", "beta"]);
    expect([...getObservationsByCampaign(sb.db, s.datasetId, undefined, "other")]).toStrictEqual(reference(sb.db, s.datasetId));
    expect(hasSeries(sb.db, s.datasetId)).toBe(false);
  });

  it("does not wait for another connection's write lock: the read answers at once and stores nothing", async () => {
    const s = await importBytes(dailyCsv(1, 4, ["alpha", "beta"], 0));
    const conn = sb.db.$client;
    conn.pragma("busy_timeout = 5000");
    const other = new Database(sb.dbPath);
    try {
      other.exec("BEGIN IMMEDIATE");
      const t0 = performance.now();
      const got = read(sb.db, s.datasetId);
      const ms = performance.now() - t0;
      expect(got).toStrictEqual(reference(sb.db, s.datasetId));
      expect(ms).toBeLessThan(1000);
      expect(hasSeries(sb.db, s.datasetId)).toBe(false);
      // the connection's own timeout is back
      expect(conn.pragma("busy_timeout", { simple: true })).toBe(5000);
      other.exec("ROLLBACK");
    } finally {
      other.close();
      conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    read(sb.db, s.datasetId);
    expect(hasSeries(sb.db, s.datasetId)).toBe(true);
  });

  it("gives up, without failing the read, when the columns cannot be made (a row count beyond memory)", async () => {
    const s = await importBytes(dailyCsv(1, 4, ["alpha", "beta"], 0));
    sb.db.$client.prepare("UPDATE datasets SET rows_imported = ? WHERE id = ?").run(2 ** 40, s.datasetId);
    expect(read(sb.db, s.datasetId)).toStrictEqual(reference(sb.db, s.datasetId));
    expect(hasSeries(sb.db, s.datasetId)).toBe(false);
  });

  it("stores nothing from inside the caller's transaction, and does not disturb it", async () => {
    const s = await importBytes(dailyCsv(1, 4, ["alpha"], 0));
    const got = sb.db.$client.transaction(() => read(sb.db, s.datasetId))();
    expect(got).toStrictEqual(reference(sb.db, s.datasetId));
    expect(hasSeries(sb.db, s.datasetId)).toBe(false);
  });
});
