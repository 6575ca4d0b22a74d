import { seededRandom } from "@/lib/engine/estimate/rng";

/**
 * A generic-template CSV (`date,campaign,impressions,clicks,conversions,spend,revenue`) of `campaigns` x `days`
 * rows, the same bytes for the same arguments: each campaign has its own CTR and conversion rate; clicks and
 * conversions are drawn around them. For load tests and benchmarks of the analysis (100,000 or 1,000,000 rows).
 */
export function loadTestCsv(campaigns: number, days: number, seed = 7): string {
  const rand = seededRandom(seed);
  const lines = ["date,campaign,impressions,clicks,conversions,spend,revenue"];
  const start = Date.UTC(2020, 0, 1);
  const rates = Array.from({ length: campaigns }, () => ({ ctr: 0.005 + 0.03 * rand(), cvr: 0.005 + 0.05 * rand(), cpc: 0.3 + 2 * rand() }));
  for (let d = 0; d < days; d++) {
    const date = new Date(start + d * 86_400_000).toISOString().slice(0, 10);
    for (let c = 0; c < campaigns; c++) {
      const r = rates[c]!;
      const impressions = 500 + Math.floor(rand() * 5000);
      const clicks = Math.floor(impressions * r.ctr * (0.5 + rand()));
      const conversions = Math.floor(clicks * r.cvr * 2 * rand());
      const spend = (clicks * r.cpc).toFixed(2);
      const revenue = (conversions * (20 + 80 * rand())).toFixed(2);
      lines.push(`${date},Campaign ${String(c + 1).padStart(3, "0")},${impressions},${clicks},${conversions},${spend},${revenue}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
