/**
 * The simulated campaign-days rendered as the four sample files: the generic daily template, order-level sales,
 * a Google Ads UI campaign report and a Meta Ads Manager export. Money is carried in integer cents and printed by
 * integer arithmetic, so every file shows exactly the same amounts.
 */
import { CURRENCY, DAYS, dateOf } from "./model";
import type { DayRow, Simulation } from "./model";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

/** Integer cents as a plain decimal with two places: 123456 -> "1234.56", -5 -> "-0.05". */
export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`centsToDecimal: need an integer number of cents, got ${cents}`);
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = String(abs % 100).padStart(2, "0");
  return `${cents < 0 ? "-" : ""}${whole}.${frac}`;
}

/** Inserts thousands separators in the integer part of a plain decimal string: "1234567.5" -> "1,234,567.5". */
export function groupThousands(plain: string): string {
  const negative = plain.startsWith("-");
  const body = negative ? plain.slice(1) : plain;
  const [int = "", frac] = body.split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${frac === undefined ? "" : `.${frac}`}`;
}

/** A CSV field, quoted (with doubled inner quotes) only when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** en-GB long date as Google Ads prints it in a report's date-range line: "2026-03-02" -> "2 March 2026". */
export function longDateEnGb(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** Rows of all campaigns in file order: by date, then campaigns in CAMPAIGNS order. */
function rowsByDate(sim: Simulation): DayRow[] {
  const out: DayRow[] = [];
  for (let t = 0; t < DAYS; t++) {
    for (const campaignRows of sim.rows) {
      const row = campaignRows[t];
      if (row) out.push(row);
    }
  }
  return out;
}

/** `sample-data/campaigns-daily.csv`: the generic daily template, one row per campaign-day. */
export function renderDailyCsv(sim: Simulation): string {
  const lines = ["date,campaign,impressions,clicks,conversions,spend,revenue"];
  for (const r of rowsByDate(sim)) {
    lines.push(
      [r.date, csvField(r.campaign), r.impressions, r.clicks, r.conversions, centsToDecimal(r.spendCents), centsToDecimal(r.revenueCents)].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Order id of the n-th order of the file (1-based): "SO-000001". */
function orderId(n: number): string {
  return `SO-${String(n).padStart(6, "0")}`;
}

/** `sample-data/orders.csv`: one row per conversion, numbered in file order (date, campaign, draw order). */
export function renderOrdersCsv(sim: Simulation): string {
  const lines = ["date,campaign,order_id,value"];
  let n = 0;
  for (const r of rowsByDate(sim)) {
    for (const cents of r.orderCents) {
      n++;
      lines.push([r.date, csvField(r.campaign), orderId(n), centsToDecimal(cents)].join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}

/** A Google Ads count or amount: thousands separated, and quoted when a separator appears ("1,234"). */
function googleGrouped(plain: string): string {
  return csvField(groupThousands(plain));
}

/** A Google Ads percentage with two decimals ("3.21%"), or " --" when the denominator is zero. */
function googlePercent(numerator: number, denominator: number): string {
  return denominator > 0 ? `${((100 * numerator) / denominator).toFixed(2)}%` : " --";
}

interface GoogleFigures {
  impressions: number;
  clicks: number;
  conversions: number;
  spendCents: number;
  revenueCents: number;
}

/** The metric cells of one Google Ads row, from `Impr.` to `Conv. rate`. */
function googleMetrics(f: GoogleFigures): string[] {
  return [
    googleGrouped(String(f.impressions)),
    googleGrouped(String(f.clicks)),
    googlePercent(f.clicks, f.impressions),
    // Avg. CPC = Cost / Clicks; undefined without clicks.
    f.clicks > 0 ? (f.spendCents / 100 / f.clicks).toFixed(2) : " --",
    // Google prints Cost without thousands separators (it does separate Impr., Clicks, Conversions, Conv. value).
    centsToDecimal(f.spendCents),
    googleGrouped(`${f.conversions}.00`),
    googleGrouped(centsToDecimal(f.revenueCents)),
    googlePercent(f.conversions, f.clicks),
  ];
}

/**
 * `sample-data/google-ads-campaign-report.csv`: the daily data as the Google Ads UI downloads a campaign report
 * segmented by day (UTF-8, comma-separated), with the title and date-range lines above the header and the
 * `Total: Campaigns` and `Total: Account` rows at the end, in the order Google writes them.
 */
export function renderGoogleAdsCsv(sim: Simulation): string {
  const lines = [
    "Campaign report",
    `${longDateEnGb(dateOf(0))} - ${longDateEnGb(dateOf(DAYS - 1))}`,
    "Day,Campaign,Campaign status,Currency code,Impr.,Clicks,CTR,Avg. CPC,Cost,Conversions,Conv. value,Conv. rate",
  ];
  const total: GoogleFigures = { impressions: 0, clicks: 0, conversions: 0, spendCents: 0, revenueCents: 0 };
  for (const r of rowsByDate(sim)) {
    lines.push([r.date, csvField(r.campaign), "Enabled", CURRENCY, ...googleMetrics(r)].join(","));
    total.impressions += r.impressions;
    total.clicks += r.clicks;
    total.conversions += r.conversions;
    total.spendCents += r.spendCents;
    total.revenueCents += r.revenueCents;
  }
  // Every campaign of the account is in the report, so both totals carry the same sums.
  lines.push(["Total: Campaigns", " --", " --", CURRENCY, ...googleMetrics(total)].join(","));
  lines.push(["Total: Account", "", "", CURRENCY, ...googleMetrics(total)].join(","));
  return `${lines.join("\n")}\n`;
}

/** A quoted CSV text cell, as Meta writes text and headers. */
function quoted(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/**
 * `sample-data/meta-ads-export.csv`: the daily data as a Meta Ads Manager export with a daily time breakdown
 * (`Reporting starts` = `Reporting ends` = the day). Headers and text are quoted, numbers are bare, the currency is in
 * the spend header, CTR is a percentage number without the sign, and `Cost per purchase` is empty on a day without
 * purchases.
 */
export function renderMetaAdsCsv(sim: Simulation): string {
  const header = [
    "Reporting starts",
    "Reporting ends",
    "Campaign name",
    `Amount spent (${CURRENCY})`,
    "Impressions",
    "Link clicks",
    "Purchases",
    "Purchases conversion value",
    "Cost per purchase",
    "CTR (link click-through rate)",
  ];
  const lines = [header.map(quoted).join(",")];
  for (const r of rowsByDate(sim)) {
    lines.push(
      [
        quoted(r.date),
        quoted(r.date),
        quoted(r.campaign),
        centsToDecimal(r.spendCents),
        String(r.impressions),
        String(r.clicks),
        String(r.conversions),
        centsToDecimal(r.revenueCents),
        r.conversions > 0 ? (r.spendCents / 100 / r.conversions).toFixed(2) : "",
        r.impressions > 0 ? String(Number(((100 * r.clicks) / r.impressions).toFixed(6))) : "",
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}
