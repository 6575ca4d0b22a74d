/**
 * Header recognition: which column holds which field, for every format the importer knows, and which format a
 * header row (and the lines above it) belongs to. Pure functions, no I/O.
 */
import type { SourceFormat } from "@/lib/types/sources";
import { AppError } from "@/lib/errors";
import { MAPPABLE_FIELDS, TEMPLATE_FIELDS, type Mapping } from "@/lib/types/ingest";

/**
 * Every field the importer reads: the mappable ones plus "date_end", the last day of a row's period when a file
 * gives it in its own column (Meta's "Reporting ends"). date_end is recognised from the header only; it follows
 * the date column (a user mapping that moves "date" drops it).
 */
export const FIELDS = [...MAPPABLE_FIELDS, "date_end"] as const;
export type Field = (typeof FIELDS)[number];
export type FullMapping = Record<Field, string | null>;

/**
 * A header reduced to a comparison key: lower case, a trailing currency in parentheses removed ("Amount spent (USD)"
 * -> "amountspent", currency "USD"), every character other than a letter or digit dropped ("Conv. value" ->
 * "convvalue", "Total_Conversion" -> "totalconversion", "CampaignName" -> "campaignname").
 */
export function headerKey(header: string): { key: string; currency: string | null } {
  let h = header.replace(/^\uFEFF/, "").trim();
  let currency: string | null = null;
  const paren = /\s*\(([A-Z]{3}|[$€£¥])\)\s*$/.exec(h);
  if (paren) {
    const c = paren[1] ?? "";
    currency = c === "$" ? "USD" : c === "€" ? "EUR" : c === "£" ? "GBP" : c === "¥" ? "JPY" : c;
    h = h.slice(0, paren.index);
  }
  return { key: h.toLowerCase().replace(/[^a-z0-9]+/g, ""), currency };
}

/**
 * Header keys each field is recognised by, most preferred first (e.g. Meta's "Link clicks" before "Clicks (all)").
 * Matching is on whole keys, so "Cost / conv." never passes for "Cost" and "Conv. rate" never for conversions.
 */
const HEADER_SYNONYMS: Record<Field, readonly string[]> = {
  date: ["date", "day", "reportingstarts", "timeperiod", "gregoriandate", "reportdate", "startdate", "week", "month", "period", "daterange"],
  date_end: ["reportingends", "enddate", "dateend"],
  campaign: ["campaign", "campaignname", "xyzcampaignid", "campaignid"],
  segment: ["segment", "adid", "adname", "ad", "adsetname", "adset", "adgroupname", "adgroup", "keyword"],
  impressions: ["impressions", "impr", "imps", "impression", "displays"],
  clicks: ["clicks", "linkclicks", "clicksall", "click"],
  conversions: ["conversions", "totalconversion", "totalconversions", "purchases", "websitepurchases", "conv", "conversion"],
  conversions_alt: ["approvedconversion", "approvedconversions", "conversionsalt"],
  spend: ["spend", "cost", "spent", "amountspent", "totalspend", "costs"],
  revenue: [
    "revenue",
    "convvalue",
    "conversionvalue",
    "purchasesconversionvalue",
    "websitepurchasesconversionvalue",
    "totalconvvalue",
    "totalrevenue",
    "sales",
  ],
  order_id: ["orderid", "ordernumber", "transactionid", "order"],
  value: ["value", "ordervalue", "ordertotal", "amount"],
  currency: ["currencycode", "currency"],
};

/** Fields that hold counts or amounts (read as numbers). */
export const NUMBER_FIELDS = ["impressions", "clicks", "conversions", "conversions_alt", "spend", "revenue", "value"] as const;

/** Every field, null when the file has no such column. */
function emptyMapping(): FullMapping {
  const m = {} as FullMapping;
  for (const f of FIELDS) m[f] = null;
  return m;
}

/** Proposes a mapping from the header row alone: for each field the first header whose key is a synonym, by rank. */
export function proposeMapping(headers: readonly string[]): FullMapping {
  const keys = headers.map((h) => headerKey(h).key);
  const m = emptyMapping();
  const used = new Set<number>();
  for (const field of FIELDS) {
    for (const syn of HEADER_SYNONYMS[field]) {
      const idx = keys.findIndex((k, i) => k === syn && !used.has(i));
      if (idx >= 0) {
        m[field] = headers[idx] ?? null;
        used.add(idx);
        break;
      }
    }
  }
  // An orders file: "value" is the order value; without order ids, only when the file has no performance columns.
  if (m.value && !m.order_id && (m.impressions || m.clicks || m.spend)) m.value = null;
  return m;
}

/** Synonyms long enough to be looked for inside a header's key (shorter ones, "ad" or "day", would hit by chance). */
const MIN_CONTAINED_SYNONYM = 5;

/**
 * Guesses for the mapping editor, for a header row the importer did not recognise: proposeMapping's whole-key
 * matches, then, for each field still without a column, the first unused header whose key contains one of the
 * field's synonyms of 5 letters or more ("campaign_number" for campaign, "post_click_conversions" for
 * conversions). Only ever shown as the editor's starting choices, which the person checks against a preview: never
 * used to import a file on its own. Fields without a guess are left out.
 * @example suggestMapping(["report_date", "campaign_number", "displays", "clicks", "cost"])
 * // { date: "report_date", campaign: "campaign_number", impressions: "displays", clicks: "clicks", spend: "cost" }
 */
export function suggestMapping(headers: readonly string[]): Mapping {
  const m = proposeMapping(headers);
  const keys = headers.map((h) => headerKey(h).key);
  const used = new Set(FIELDS.map((f) => m[f]).filter((h): h is string => h !== null));
  for (const field of MAPPABLE_FIELDS) {
    if (m[field] !== null) continue;
    const idx = keys.findIndex(
      (k, i) => !used.has(headers[i] ?? "") && HEADER_SYNONYMS[field].some((syn) => syn.length >= MIN_CONTAINED_SYNONYM && k.includes(syn)),
    );
    if (idx >= 0) {
      m[field] = headers[idx] ?? null;
      used.add(headers[idx] ?? "");
    }
  }
  // As in proposeMapping: an order value only in a file of orders, not beside performance columns.
  if (m.value && !m.order_id && (m.impressions || m.clicks || m.spend)) m.value = null;
  const out: Mapping = {};
  for (const field of MAPPABLE_FIELDS) if (m[field] !== null) out[field] = m[field];
  return out;
}

/** Finds a header by the text a user typed: exact, then ignoring case and spaces, then by key. */
export function findHeader(headers: readonly string[], text: string): number {
  const exact = headers.indexOf(text);
  if (exact >= 0) return exact;
  const t = text.trim().toLowerCase();
  const loose = headers.findIndex((h) => h.trim().toLowerCase() === t);
  if (loose >= 0) return loose;
  const key = headerKey(text).key;
  return key === "" ? -1 : headers.findIndex((h) => headerKey(h).key === key);
}

/**
 * Puts a user's mapping over the detected one: a header text replaces the detected column, null removes it.
 * A header the file does not have is refused with the list of headers it does have.
 */
export function mergeMapping(detected: FullMapping, user: Mapping | undefined, headers: readonly string[]): FullMapping {
  const m = { ...detected };
  if (!user) return m;
  if ("date" in user && (user.date ?? null) !== detected.date) m.date_end = null;
  for (const field of MAPPABLE_FIELDS) {
    if (!(field in user)) continue;
    const text = user[field];
    if (text === null || text === undefined || text.trim() === "") {
      m[field] = null;
      continue;
    }
    const idx = findHeader(headers, text);
    if (idx < 0) {
      throw new AppError(
        "unrecognised_format",
        `The mapping says ${field} is in a column "${text}", but the file has no such column. ` +
          `Its columns are: ${headers.map((h) => `"${h}"`).join(", ")}.`,
        { field, header: text, headers: [...headers] },
      );
    }
    const header = headers[idx] ?? text;
    // the same column cannot hold two fields: the user's choice wins over a detected one
    for (const other of FIELDS) if (other !== field && m[other] === header && !(other in user)) m[other] = null;
    m[field] = header;
  }
  return m;
}

/** What a mapping imports: order rows or performance rows; null when it lacks a campaign or any count. */
export function mappingKind(m: FullMapping): "observations" | "orders" | null {
  if (!m.campaign) return null;
  if (m.impressions || m.clicks || m.conversions) return "observations";
  if (m.value) return "orders";
  return null;
}

/** The mapping as shown to users and stored with the dataset: every mappable field, null when not in the file. */
export function publicMapping(m: FullMapping): Mapping {
  const out: Mapping = {};
  for (const f of MAPPABLE_FIELDS) out[f] = m[f];
  return out;
}

/** True when two mappings name the same column for every field. */
export function sameMapping(a: Mapping, b: Mapping): boolean {
  for (const f of MAPPABLE_FIELDS) if ((a[f] ?? null) !== (b[f] ?? null)) return false;
  return true;
}

export const FORMAT_LABELS: Record<SourceFormat, string> = {
  generic: "Generic daily template",
  orders: "Order-level sales",
  google_ads: "Google Ads campaign report",
  meta_ads: "Meta Ads Manager export",
  microsoft_ads: "Microsoft Advertising report",
  ad_level: "Ad-level file without dates",
  mapped: "Custom columns (mapped)",
};

/**
 * Names the format from the header row and the lines above it. The rules look for what only that platform
 * writes: Google's "Impr." and "Conv. value"; Meta's "Amount spent (XXX)" and "Reporting starts"; Microsoft's
 * "Report Name:" preamble and "TimePeriod"/"Gregorian date"; the Kaggle-style ad-level columns.
 */
export function identifyFormat(headers: readonly string[], preamble: readonly string[]): SourceFormat {
  const keys = new Set(headers.map((h) => headerKey(h).key));
  const has = (...k: string[]) => k.some((x) => keys.has(x));
  const pre = preamble.join("\n").toLowerCase();
  const template = new Set<string>(TEMPLATE_FIELDS);
  if (headers.length > 0 && headers.every((h) => template.has(headerKey(h).key)) && has("date") && has("campaign")) {
    return "generic";
  }
  if (headers.length === 4 && ["date", "campaign", "orderid", "value"].every((k) => keys.has(k))) return "orders";
  if (/report name:|report time:/.test(pre) || (has("timeperiod", "gregoriandate") && has("spend"))) {
    return "microsoft_ads";
  }
  if (has("impr", "convvalue", "costconv", "avgcpc", "interactions") || /^campaign report/m.test(pre)) return "google_ads";
  if (has("campaignname") && has("amountspent", "reportingstarts", "linkclicks", "purchasesconversionvalue")) return "meta_ads";
  if (has("xyzcampaignid", "totalconversion", "approvedconversion") || (has("adid") && !has("date", "day"))) return "ad_level";
  if (has("orderid") && has("value")) return "orders";
  return "mapped";
}

/** The generic template's columns, as the refusal message lists them. */
export const TEMPLATE_COLUMNS_TEXT = `${TEMPLATE_FIELDS.join(",")} (revenue optional)`;
