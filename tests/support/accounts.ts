import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { bumpDataRevision } from "@/db/queries";
import { datasets, observations, type NewObservation } from "@/db/schema";
import { finishUpload, liveTotals, startUpload } from "@/db/uploads";
import { seededRandom } from "@/lib/engine/estimate/rng";

/** One generated campaign: its daily sales rate, order value, conversion rate and cost per click. */
export interface CampaignSpec {
  /** Expected conversions per day (1/30: one sale a month). */
  salesPerDay: number;
  /** Mean order value (currency); null: the file has no revenue column. */
  orderValue: number | null;
  /** Conversions per click, in (0, 1]. */
  cvr: number;
  /** Cost per click (currency). */
  cpc: number;
}

export interface AccountSpec {
  seed: number;
  days: number;
  campaigns: CampaignSpec[];
}

/** A Poisson(lambda) draw: Knuth's product of uniforms for lambda <= 30, a rounded normal above (tests only). */
function poissonDraw(lambda: number, u: () => number): number {
  if (lambda <= 30) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = u();
    while (p > limit) {
      k++;
      p *= u();
    }
    return k;
  }
  const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
}

/**
 * Writes a generated performance dataset straight into the database (no CSV: an account of 300 campaigns x 365
 * days is 110k rows), as the importer would leave it (one upload, its rows tagged with it and its source), and bumps
 * the data revision. Seeded: the same spec gives the same rows. Returns the dataset id.
 */
export function insertAccount(db: Db, spec: AccountSpec, name = `generated-${spec.seed}`): number {
  const u = seededRandom(spec.seed);
  const start = Date.UTC(2025, 0, 1);
  const day = (d: number) => new Date(start + d * 86_400_000).toISOString().slice(0, 10);
  const hasRevenue = spec.campaigns.some((c) => c.orderValue !== null);
  const sha256 = `generated-${spec.seed}-${name}`;
  const period = spec.days > 0 && spec.campaigns.length > 0 ? { start: day(0), end: day(spec.days - 1) } : null;
  return db.$client.transaction(() => {
    const row = db
      .insert(datasets)
      .values({
        name,
        fileName: `${name}.csv`,
        sourceFormat: "generic",
        sha256,
        sizeBytes: 0,
        currency: "USD",
        periodStart: period?.start ?? null,
        periodEnd: period?.end ?? null,
        mappingJson: "{}",
        summaryJson: JSON.stringify({ kind: "observations" }),
      })
      .returning({ id: datasets.id })
      .get();
    const noRows = { rows: 0, impressions: 0, clicks: 0, conversions: 0, spend: 0, revenue: 0 };
    const uploadId = startUpload(db.$client, { datasetId: row.id, sha256, fileName: `${name}.csv`, sourceFormat: "generic", sizeBytes: 0, totalsBefore: noRows });
    const rows: NewObservation[] = [];
    let line = 2;
    spec.campaigns.forEach((c, i) => {
      for (let d = 0; d < spec.days; d++) {
        const conversions = poissonDraw(c.salesPerDay, u);
        const clicks = Math.max(conversions, Math.round(c.salesPerDay / c.cvr));
        const aov = c.orderValue;
        rows.push({
          datasetId: row.id,
          campaign: `Campaign ${String(i + 1).padStart(3, "0")}`,
          periodStart: day(d),
          periodEnd: day(d),
          impressions: clicks * 20,
          clicks,
          conversions,
          spend: Math.round(clicks * c.cpc * 100) / 100,
          revenue: hasRevenue ? (aov === null ? 0 : Math.round(conversions * aov * Math.exp(0.3 * (u() - 0.5)) * 100) / 100) : null,
          line: line++,
          uploadId,
          source: "other",
        });
      }
    });
    for (let i = 0; i < rows.length; i += 500) db.insert(observations).values(rows.slice(i, i + 500)).run();
    db.update(datasets).set({ rowsImported: rows.length }).where(eq(datasets.id, row.id)).run();
    finishUpload(db.$client, uploadId, {
      period,
      backfill: false,
      rowsImported: rows.length,
      rowsAdded: rows.length,
      rowsReplaced: 0,
      rowsRejected: 0,
      totalsAfter: liveTotals(db.$client, row.id),
    });
    bumpDataRevision(db.$client);
    return row.id;
  })();
}
