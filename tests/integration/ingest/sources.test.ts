import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { getObservationsByCampaign, listDatasets } from "@/db/queries";
import { analysisKey, analysisSummary, analyzeDataset, campaignRows } from "@/lib/analysis/dataset";
import { campaignDetail } from "@/lib/analysis/campaign";
import { abQuerySchema, compareArms, compareChange, compareQuerySchema } from "@/lib/analysis/compare";
import { clearCache } from "@/lib/analysis/cache";
import { AppError } from "@/lib/errors";
import { importFile } from "@/lib/ingest/import";
import { removeUpload } from "@/lib/ingest/uploads";
import type { ImportSummary } from "@/lib/types/ingest";
import { databaseBefore, sandbox, store, type Sandbox } from "./helpers";

/*
 * Files of two platforms in one dataset: a Google Ads campaign report and a Meta Ads Manager export of the same shop,
 * with a campaign name both use. The reference is the files' own figures, kept here in integer cents and counts, and
 * the same file imported alone.
 */

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
  clearCache();
});
afterEach(() => sb.cleanup());

/** One day of a campaign: clicks, conversions, spend and revenue in integer cents. */
interface Row {
  date: string;
  campaign: string;
  impressions: number;
  clicks: number;
  conversions: number;
  spendCents: number;
  revenueCents: number;
}

const day = (d: number) => `2026-03-${String(d).padStart(2, "0")}`;
const money = (cents: number) => (cents / 100).toFixed(2);

/** Rows for days [from, to] of the campaigns; `seed` makes the figures of two files differ. */
function rows(from: number, to: number, campaigns: string[], seed: number): Row[] {
  const out: Row[] = [];
  for (let d = from; d <= to; d++)
    for (const [i, campaign] of campaigns.entries()) {
      const clicks = 40 + ((d * 13 + i * 7 + seed * 5) % 60);
      out.push({
        date: day(d),
        campaign,
        impressions: clicks * 30,
        clicks,
        conversions: (d + i + seed) % 4,
        spendCents: 1999 + d * 137 + i * 71 + seed * 3, // odd cents, so a lost cent shows
        revenueCents: ((d + i + seed) % 4) * 4_255,
      });
    }
  return out;
}

/** A Google Ads UI campaign report (title, date range, header, quoted thousands, a currency column). */
function googleAds(rs: Row[]): Buffer {
  const head = `Campaign report\n"${rs[0]!.date} - ${rs.at(-1)!.date}"\nDay,Campaign,Impr.,Clicks,Cost,Conversions,Conv. value,Currency code\n`;
  const body = rs.map((r) => `${r.date},${r.campaign},"${r.impressions.toLocaleString("en-US")}",${r.clicks},${money(r.spendCents)},${r.conversions}.00,${money(r.revenueCents)},USD`);
  return Buffer.from(head + body.join("\n") + "\n");
}

/** A Meta Ads Manager export (quoted multi-word headers, the currency in the spend header). */
function meta(rs: Row[]): Buffer {
  const head = `"Campaign name","Reporting starts","Reporting ends","Impressions","Link clicks","Amount spent (USD)","Purchases","Purchases conversion value"\n`;
  const body = rs.map((r) => `"${r.campaign}","${r.date}","${r.date}","${r.impressions}","${r.clicks}","${money(r.spendCents)}","${r.conversions}","${money(r.revenueCents)}"`);
  return Buffer.from(head + body.join("\n") + "\n");
}

async function importBytes(bytes: Buffer, fileName: string, into?: number): Promise<ImportSummary> {
  const stored = await store(sb, bytes);
  return importFile(sb.db, { path: stored.path, sha256: stored.sha256, fileName, sizeBytes: stored.sizeBytes, intoDatasetId: into });
}

const live = (id: number) => [...getObservationsByCampaign(sb.db, id)];

const G = rows(1, 10, ["Brand Search", "Generic Search"], 0);
const M = rows(5, 12, ["Brand Search", "Prospecting"], 1);
// a later Meta export re-stating days 10 to 12 and adding 13
const M2 = rows(10, 13, ["Brand Search", "Prospecting"], 2);

/** The fixed analysis query: lag off and a fixed as-of date, so a dataset's upload time does not enter. */
const Q = { horizon: "week" as const, lag: "off", asOf: "2026-03-13" };

describe("a Google Ads and a Meta export in one dataset", () => {
  it("adds the other platform's rows beside, replacing nothing, and warns with the shared names", async () => {
    const g = await importBytes(googleAds(G), "google.csv");
    expect(g.format).toBe("google_ads");
    const m = await importBytes(meta(M), "meta.csv", g.datasetId);
    expect(m.format).toBe("meta_ads");
    expect(m.upload).toMatchObject({ rowsReplaced: 0, rowsAdded: M.length, backfill: false });
    expect(m.upload!.totalsAfter.rows).toBe(G.length + M.length);
    expect(m.warnings.join(" ")).toContain("Brand Search is in Google Ads and Meta: counted together");
    expect(m.warnings.join(" ")).not.toContain("Prospecting is in");
    expect(m.upload!.rule).toContain("This file's source is Meta");
    expect(m.upload!.rule).toContain("Rows of Google Ads are never replaced by a file of another source");
    expect(listDatasets(sb.db).find((d) => d.id === g.datasetId)?.sources).toEqual(["google_ads", "meta_ads"]);
  });

  it("sums a shared campaign's days across both sources, to the cent", async () => {
    const g = await importBytes(googleAds(G), "google.csv");
    await importBytes(meta(M), "meta.csv", g.datasetId);
    const brand = campaignRows(sb.db, g.datasetId).inputs.find((c) => c.campaign === "Brand Search")!;
    const expected = new Map<string, { clicks: number; conversions: number; spendCents: number; revenueCents: number }>();
    for (const r of [...G, ...M].filter((r) => r.campaign === "Brand Search")) {
      const e = expected.get(r.date) ?? { clicks: 0, conversions: 0, spendCents: 0, revenueCents: 0 };
      expected.set(r.date, { clicks: e.clicks + r.clicks, conversions: e.conversions + r.conversions, spendCents: e.spendCents + r.spendCents, revenueCents: e.revenueCents + r.revenueCents });
    }
    expect(brand.days.map((d) => d.date)).toEqual([...expected.keys()].sort());
    for (const d of brand.days) {
      const e = expected.get(d.date!)!;
      expect([d.clicks, d.conversions]).toEqual([e.clicks, e.conversions]);
      // to the cent: two doubles of 2 decimals summed, within 1e-6 cent of the integer-cent sum
      expect(Math.abs(d.spend * 100 - e.spendCents)).toBeLessThan(1e-6);
      expect(Math.abs((d.revenue ?? 0) * 100 - e.revenueCents)).toBeLessThan(1e-6);
    }
    const a = analyzeDataset(sb.db, g.datasetId, Q);
    expect(a.source).toBeNull();
    expect(a.campaigns.map((c) => [c.campaign, c.sources])).toEqual([
      ["Brand Search", ["google_ads", "meta_ads"]],
      ["Generic Search", ["google_ads"]],
      ["Prospecting", ["meta_ads"]],
    ]);
    const cents = (rs: Row[]) => rs.reduce((s, r) => s + r.spendCents, 0);
    expect(a.sources.map((s) => [s.source, s.label, s.clicks, s.campaigns, s.days])).toEqual([
      ["google_ads", "Google Ads", G.reduce((s, r) => s + r.clicks, 0), 2, 10],
      ["meta_ads", "Meta", M.reduce((s, r) => s + r.clicks, 0), 2, 8],
    ]);
    // spend per source to the cent (sums of 20 and 16 two-decimal amounts)
    expect(Math.abs(a.sources[0]!.spend * 100 - cents(G))).toBeLessThan(1e-6);
    expect(Math.abs(a.sources[1]!.spend * 100 - cents(M))).toBeLessThan(1e-6);
  });

  it("gives each source alone with the figures of importing that file alone", async () => {
    const g = await importBytes(googleAds(G), "google.csv");
    await importBytes(meta(M), "meta.csv", g.datasetId);
    const aloneM = await importBytes(meta(M), "meta-alone.csv");

    const figures = (a: ReturnType<typeof analyzeDataset>) =>
      a.campaigns.map((c) => ({ campaign: c.campaign, clicks: c.clicks, conversions: c.conversions, spend: c.spend, revenue: c.revenue, cvr: c.cvr, forecast: c.forecast.conversions, verdict: c.verdict }));
    const onlyMeta = analyzeDataset(sb.db, g.datasetId, { ...Q, source: "meta_ads" });
    expect(onlyMeta.source).toBe("meta_ads");
    // the same inputs give the same estimates: equal, not close
    expect(figures(onlyMeta)).toEqual(figures(analyzeDataset(sb.db, aloneM.datasetId, Q)));
    // the label works too, in any case
    expect(figures(analyzeDataset(sb.db, g.datasetId, { ...Q, source: "META" }))).toEqual(figures(onlyMeta));
    // the Google rows alone against the Google file alone (one more blank line: other bytes, so a dataset of its own)
    const onlyGoogle = figures(analyzeDataset(sb.db, g.datasetId, { ...Q, source: "Google Ads" }));
    const other = await importBytes(Buffer.concat([googleAds(G), Buffer.from("\n")]), "google-copy.csv");
    expect(onlyGoogle).toEqual(figures(analyzeDataset(sb.db, other.datasetId, Q)));
    // a campaign page under the filter has that source's figures only
    const brand = campaignDetail(sb.db, g.datasetId, "Brand Search", { ...Q, source: "meta_ads" });
    expect(brand.analysis.clicks).toBe(M.filter((r) => r.campaign === "Brand Search").reduce((s, r) => s + r.clicks, 0));
  });

  it("keeps the filtered and unfiltered analyses apart in the cache (the key has the source)", async () => {
    const g = await importBytes(googleAds(G), "google.csv");
    await importBytes(meta(M), "meta.csv", g.datasetId);
    expect(analysisKey(sb.db, g.datasetId, Q)).not.toBe(analysisKey(sb.db, g.datasetId, { ...Q, source: "meta_ads" }));
    const names = (a: { campaigns: { campaign: string }[] }) => a.campaigns.map((c) => c.campaign);
    // same data revision, one after the other: each answer is its own
    expect(names(analysisSummary(sb.db, g.datasetId, Q))).toEqual(["Brand Search", "Generic Search", "Prospecting"]);
    expect(names(analysisSummary(sb.db, g.datasetId, { ...Q, source: "meta_ads" }))).toEqual(["Brand Search", "Prospecting"]);
    expect(names(analyzeDataset(sb.db, g.datasetId, Q))).toEqual(["Brand Search", "Generic Search", "Prospecting"]);
    expect(names(analyzeDataset(sb.db, g.datasetId, { ...Q, source: "google_ads" }))).toEqual(["Brand Search", "Generic Search"]);
    expect(names(analysisSummary(sb.db, g.datasetId, { ...Q, source: "google_ads" }))).toEqual(["Brand Search", "Generic Search"]);
  });

  it("compares one source's rows alone in compare and ab: the answers of that file imported alone", async () => {
    const g = await importBytes(googleAds(G), "google.csv");
    await importBytes(meta(M), "meta.csv", g.datasetId);
    const aloneM = await importBytes(meta(M), "meta-alone.csv");
    const change = (id: number, source?: string) =>
      compareChange(sb.db, id, compareQuerySchema.parse({ campaign: "Brand Search", changeDate: "2026-03-09", lag: "off", source }));
    const arms = (id: number, source?: string) => compareArms(sb.db, id, abQuerySchema.parse({ a: "Brand Search", b: "Prospecting", source }));
    const strip = <T extends { datasetId: number; source: string | null }>(r: T) => ({ ...r, datasetId: 0, source: null });
    const onlyMeta = change(g.datasetId, "Meta");
    expect(onlyMeta.source).toBe("meta_ads");
    // the same rows give the same answer: equal, not close
    expect(strip(onlyMeta)).toEqual(strip(change(aloneM.datasetId)));
    expect(strip(arms(g.datasetId, "meta_ads"))).toEqual(strip(arms(aloneM.datasetId)));
    // without the filter Brand Search sums both platforms' clicks on the days they share
    const brand = (rs: Row[]) => rs.filter((r) => r.campaign === "Brand Search" && r.date >= "2026-03-09").reduce((n, r) => n + r.clicks, 0);
    expect(change(g.datasetId).after.clicks).toBe(brand(G) + brand(M));
    expect(onlyMeta.after.clicks).toBe(brand(M));
    expect(change(g.datasetId).source).toBeNull();
    // a source the dataset lacks is refused, and a campaign the source lacks is not found
    expect(() => change(g.datasetId, "microsoft_ads")).toThrow(/no source "microsoft_ads"/);
    expect(() => arms(g.datasetId, "google_ads")).toThrow(/No campaign "Prospecting"/);
  });

  it("refuses a source the dataset does not have, naming the ones it has", async () => {
    const g = await importBytes(googleAds(G), "google.csv");
    await importBytes(meta(M), "meta.csv", g.datasetId);
    const run = () => analyzeDataset(sb.db, g.datasetId, { ...Q, source: "microsoft_ads" });
    expect(run).toThrow(AppError);
    expect(run).toThrow(/no source "microsoft_ads".*google_ads \(Google Ads\), meta_ads \(Meta\)/);
    try {
      run();
    } catch (e) {
      expect((e as AppError).code).toBe("invalid_query");
    }
  });

  it("replaces only Meta rows with a newer Meta export, and removing uploads restores each state exactly", async () => {
    const g = await importBytes(googleAds(G), "google.csv");
    const googleOnly = live(g.datasetId);
    const m = await importBytes(meta(M), "meta.csv", g.datasetId);
    const withMeta = live(g.datasetId);
    const m2 = await importBytes(meta(M2), "meta-2.csv", g.datasetId);
    // days 10 to 12 of both Meta campaigns re-stated: 6 Meta rows replaced, the Google rows of day 10 untouched
    expect(m2.upload).toMatchObject({ rowsReplaced: 6, rowsAdded: 2 });
    const googleLive = [...getObservationsByCampaign(sb.db, g.datasetId, undefined, "google_ads")];
    expect(googleLive).toEqual(googleOnly);
    const metaLive = [...getObservationsByCampaign(sb.db, g.datasetId, undefined, "meta_ads")];
    const brandMeta = metaLive.find((c) => c.campaign === "Brand Search")!.rows;
    const want = [...M.filter((r) => r.date < day(10)), ...M2].filter((r) => r.campaign === "Brand Search");
    expect(brandMeta.map((r) => [r[0], r[3]])).toEqual(want.map((r) => [r.date, r.clicks]));

    expect(await removeUpload(sb.db, sb.dbPath, g.datasetId, m2.upload!.uploadId)).toBe(true);
    expect(live(g.datasetId)).toEqual(withMeta);
    expect(await removeUpload(sb.db, sb.dbPath, g.datasetId, m.upload!.uploadId)).toBe(true);
    expect(live(g.datasetId)).toEqual(googleOnly);
    expect(listDatasets(sb.db).find((d) => d.id === g.datasetId)?.sources).toEqual(["google_ads"]);
  });

  it("takes a Google back-fill as one even when Meta's rows end later, and a Meta file ending first as none", async () => {
    const g = await importBytes(googleAds(G), "google.csv");
    const m = await importBytes(meta(rows(1, 4, ["Brand Search"], 3)), "meta-early.csv", g.datasetId);
    // Meta's first file ends before the Google rows do, but Meta had no rows: not a back-fill
    expect(m.upload?.backfill).toBe(false);
    const back = await importBytes(googleAds(rows(2, 3, ["Brand Search"], 4)), "google-back.csv", g.datasetId);
    expect(back.upload).toMatchObject({ backfill: true, rowsReplaced: 2, rowsAdded: 0 });
  });
});

/** A database file with the migrations before 0005 (the source column) only (rows written the old way go in before the rest apply). */

describe("the migration", () => {
  it("gives every row the source of its upload, or of its dataset when it has none", () => {
    const { file, openOld } = databaseBefore("0005", sb.dir);
    const old = openOld();
    old.$client.exec(
      `INSERT INTO datasets (id, name, file_name, source_format, sha256, size_bytes, mapping_json, summary_json)
       VALUES (5, 'old', 'g.csv', 'google_ads', 'abc', 10, '{}', '{}'), (6, 'mapped', 'x.csv', 'mapped', 'def', 10, '{}', '{}');
       INSERT INTO dataset_uploads (id, dataset_id, sha256, file_name, source_format, size_bytes, totals_before_json, totals_after_json)
       VALUES (1, 5, 'abc', 'g.csv', 'google_ads', 10, '{}', '{}'), (2, 5, 'ghi', 'm.csv', 'meta_ads', 10, '{}', '{}');
       INSERT INTO observations (dataset_id, upload_id, campaign, period_start, period_end, clicks, conversions, spend, line) VALUES
         (5, 1, 'x', '2026-01-01', '2026-01-01', 10, 1, 3.5, 2), (5, 2, 'x', '2026-01-01', '2026-01-01', 20, 0, 4.25, 2),
         (5, NULL, 'y', '2026-01-02', '2026-01-02', 1, 0, 1, 3), (6, NULL, 'z', '2026-01-02', '2026-01-02', 1, 0, 1, 2);`,
    );
    old.$client.close();
    const db = openDatabase(file);
    try {
      const got = db.$client.prepare("SELECT dataset_id, upload_id, campaign, source FROM observations ORDER BY id").raw(true).all();
      expect(got).toEqual([
        [5, 1, "x", "google_ads"],
        [5, 2, "x", "meta_ads"],
        [5, null, "y", "google_ads"],
        [6, null, "z", "other"],
      ]);
    } finally {
      db.$client.close();
    }
  });

  it("brings back rows another platform's upload replaced under the old rule, and the dataset's totals with them", () => {
    const { file, openOld } = databaseBefore("0005", sb.dir);
    const old = openOld();
    // Google upload 1, then Meta upload 2 replaced its row of 01-01 (the old key had no source), then Google upload 3
    // re-stated 01-01 and replaced the Meta row; 01-02 was replaced by Meta alone
    const summary = JSON.stringify({ kind: "observations", rowsImported: 3, totals: { impressions: 0, clicks: 60, conversions: 0, spend: 0, revenue: 0 } });
    old.$client.exec(
      `INSERT INTO datasets (id, name, file_name, source_format, sha256, size_bytes, mapping_json, summary_json, rows_imported)
       VALUES (7, 'mixed', 'g.csv', 'google_ads', 'g1', 10, '{}', '${summary}', 3);
       INSERT INTO dataset_uploads (id, dataset_id, sha256, file_name, source_format, size_bytes, totals_before_json, totals_after_json)
       VALUES (11, 7, 'g1', 'g.csv', 'google_ads', 10, '{}', '{}'), (12, 7, 'm1', 'm.csv', 'meta_ads', 10, '{}', '{}'),
              (13, 7, 'g2', 'g2.csv', 'google_ads', 10, '{}', '{}');
       INSERT INTO observations (id, dataset_id, upload_id, campaign, period_start, period_end, clicks, conversions, spend, line, superseded_by) VALUES
         (1, 7, 11, 'Brand', '2026-01-01', '2026-01-01', 10, 0, 0, 2, 12), (2, 7, 11, 'Brand', '2026-01-02', '2026-01-02', 20, 0, 0, 3, 12),
         (3, 7, 12, 'Brand', '2026-01-01', '2026-01-01', 100, 0, 0, 2, 13), (4, 7, 12, 'Brand', '2026-01-02', '2026-01-02', 200, 0, 0, 3, NULL),
         (5, 7, 13, 'Brand', '2026-01-01', '2026-01-01', 1000, 0, 0, 2, NULL);`,
    );
    old.$client.close();
    const db = openDatabase(file);
    try {
      const got = db.$client.prepare("SELECT id, source, superseded_by FROM observations ORDER BY id").raw(true).all();
      // Google 01-01 replaced by the later Google upload; Google 01-02 and the Meta rows live
      expect(got).toEqual([
        [1, "google_ads", 13],
        [2, "google_ads", null],
        [3, "meta_ads", null],
        [4, "meta_ads", null],
        [5, "google_ads", null],
      ]);
      const ds = db.$client.prepare("SELECT rows_imported, summary_json FROM datasets WHERE id = 7").get() as { rows_imported: number; summary_json: string };
      expect(ds.rows_imported).toBe(4);
      expect(JSON.parse(ds.summary_json)).toMatchObject({ rowsImported: 4, totals: { clicks: 20 + 100 + 200 + 1000 } });
    } finally {
      db.$client.close();
    }
  });
});
