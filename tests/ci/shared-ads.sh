#!/usr/bin/env bash
# Imports the real public ad exports in ../shared/data/ads through the CLI into a throwaway database and checks
# the totals against the figures published with them (shared/README.md and the issue that asked for them).
set -euo pipefail
cd "$(dirname "$0")/../.."
ADS="$(cd ../shared/data/ads && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export DATABASE_PATH="$TMP/ci.db" SAMPLE_DATA=0

npm run -s cli -- import "$ADS/facebook_ads_KAG_conversion_data.csv" --json >"$TMP/fb.json"
npm run -s cli -- import "$ADS/google_ads_campaign_report_utf8.csv" --json >"$TMP/google.json"
# the same bytes again give the same dataset
npm run -s cli -- import "$ADS/google_ads_campaign_report_utf8.csv" --json >"$TMP/google2.json"
# the analyst's sheet needs a mapping (shared/README.md) and names no currency: the user gives one
npm run -s cli -- import "$ADS/real_daily_one_campaign.csv" --currency USD --json \
  --map date=report_date --map campaign=campaign_number --map impressions=displays --map clicks=clicks \
  --map conversions=post_click_conversions --map spend=cost --map revenue=post_click_sales_amount >"$TMP/daily.json"
# independent reference for it: Python's csv module and exact decimals over the same file
python3 - "$ADS/real_daily_one_campaign.csv" >"$TMP/daily-expected.json" <<'PY'
import csv, json, sys
from decimal import Decimal
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(json.dumps({
    "rows": len(rows),
    "impressions": sum(int(r["displays"]) for r in rows),
    "clicks": sum(int(r["clicks"]) for r in rows),
    "conversions": float(sum(Decimal(r["post_click_conversions"]) for r in rows)),
    "spend": float(sum(Decimal(r["cost"]) for r in rows)),
    "revenue": float(sum(Decimal(r["post_click_sales_amount"]) for r in rows)),
    "start": min(r["report_date"] for r in rows),
    "end": max(r["report_date"] for r in rows),
}))
PY

node - "$TMP" <<'JS'
const fs = require("fs");
const dir = process.argv[2];
const read = (f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"));
let failed = 0;
const close = (a, b, tol) => Math.abs(a - b) <= tol;
function check(label, actual, expected, tol = 0) {
  const ok = close(actual, expected, tol);
  console.log(`${ok ? "ok  " : "FAIL"} ${label}: ${actual} (expected ${expected}${tol ? ` ± ${tol}` : ""})`);
  if (!ok) failed++;
}
const fb = read("fb.json");
check("facebook rows imported", fb.rowsImported, 1143);
check("facebook rows rejected", fb.rowsRejected, 0);
check("facebook impressions", fb.totals.impressions, 213434828);
check("facebook clicks", fb.totals.clicks, 38165);
check("facebook spent (cents)", fb.totals.spend, 58705.23, 0.005);
check("facebook total conversions", fb.totals.conversions, 3264);
const g = read("google.json");
check("google campaigns", g.campaigns, 12);
check("google impressions", g.totals.impressions, 14117313);
check("google clicks", g.totals.clicks, 167739);
check("google cost (cents)", g.totals.spend, 199421.15, 0.005);
check("google conversions", g.totals.conversions, 18703.32, 0.005);
const rec = g.reconciliation || {};
const okRec = rec.source === "Total: Campaigns" && rec.matches === true;
console.log(`${okRec ? "ok  " : "FAIL"} google reconciled with "Total: Campaigns": source=${rec.source} matches=${rec.matches}`);
if (!okRec) failed++;
const g2 = read("google2.json");
const same = g2.datasetId === g.datasetId && g2.existing === true;
console.log(`${same ? "ok  " : "FAIL"} same bytes give the same dataset (${g.datasetId} / ${g2.datasetId})`);
if (!same) failed++;
const d = read("daily.json");
const dx = read("daily-expected.json");
check("daily sheet rows imported", d.rowsImported, dx.rows);
check("daily sheet rows rejected", d.rowsRejected, 0);
check("daily sheet impressions", d.totals.impressions, dx.impressions);
check("daily sheet clicks", d.totals.clicks, dx.clicks);
check("daily sheet conversions", d.totals.conversions, dx.conversions, 1e-6);
check("daily sheet cost", d.totals.spend, dx.spend, 0.005); // amounts to 4 decimals: within half a cent
check("daily sheet sales", d.totals.revenue, dx.revenue, 0.005);
const okDaily = d.currency === "USD" && d.period && d.period.start === dx.start && d.period.end === dx.end;
console.log(`${okDaily ? "ok  " : "FAIL"} daily sheet currency ${d.currency} and period ${JSON.stringify(d.period)}`);
if (!okDaily) failed++;
if (failed) { console.error(`${failed} check(s) failed`); process.exit(1); }
JS

# approved conversions are kept as the secondary conversion count
node -e '
const db = new (require("better-sqlite3"))(process.env.DATABASE_PATH, { readonly: true });
const r = db.prepare("select sum(conversions_alt) s from observations o join datasets d on d.id = o.dataset_id where d.file_name like ?").get("facebook%");
const ok = r.s === 1079;
console.log((ok ? "ok  " : "FAIL") + " facebook approved conversions: " + r.s + " (expected 1079)");
process.exit(ok ? 0 : 1);
'
echo "real exports: all checks passed"
