/**
 * Display formatting for numbers, money, probabilities and dates. Pure functions, safe on the server and in the
 * browser. One locale (en-US) on both sides so a server-rendered page and its hydrated client leaves print the
 * same text. One failure rule: a missing or non-finite value prints as an en dash ("–"), never "NaN".
 */

/** The locale every figure is printed in (fixed: server and browser must agree). */
const LOCALE = "en-US";

/** What a missing or non-finite value prints as. */
export const MISSING = "–";

const isNum = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x);

const nfCache = new Map<string, Intl.NumberFormat>();
function nf(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let f = nfCache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE, options);
    nfCache.set(key, f);
  }
  return f;
}

/**
 * A number with thousands separators and at most `maxDigits` decimals (trailing zeros dropped).
 * @param n any number; null/undefined/NaN/±Infinity print as "–"
 * @param maxDigits 0-20 decimals kept (default 2)
 * @example formatNumber(1234.5678) // "1,234.57"
 */
export function formatNumber(n: number | null | undefined, maxDigits = 2): string {
  if (!isNum(n)) return MISSING;
  const s = nf({ maximumFractionDigits: maxDigits }).format(n);
  // -0 and tiny negatives round to "-0": print "0".
  return s === "-0" ? "0" : s;
}

/**
 * A count: whole numbers print without decimals; fractional counts (attributed conversions) keep one decimal,
 * or two below 10 so that 0.25 does not print as "0.3".
 * @example formatCount(12345) // "12,345"; formatCount(428.2) // "428.2"; formatCount(0.25) // "0.25"
 */
export function formatCount(n: number | null | undefined): string {
  if (!isNum(n)) return MISSING;
  if (Number.isInteger(n)) return formatNumber(n, 0);
  return formatNumber(n, Math.abs(n) < 10 ? 2 : 1);
}

/**
 * A number with exactly `digits` decimals (trailing zeros kept) and thousands separators, for figures whose shown
 * precision is part of the message ("rho = 0.250", "add up to 1.000"). A value that rounds to zero prints without
 * a minus sign.
 * @param digits 0-20 decimals
 * @example formatFixed(0.25, 3) // "0.250"; formatFixed(1234.5, 0) // "1,235"; formatFixed(-0.0001, 2) // "0.00"
 */
export function formatFixed(n: number | null | undefined, digits: number): string {
  if (!isNum(n)) return MISSING;
  const s = nf({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Bytes in one KB and one MB (binary: 1 KB = 1024 bytes, the units upload limits are set in). */
const BYTES_PER: Record<"KB" | "MB", number> = { KB: 1024, MB: 1024 * 1024 };

/**
 * A file size in KB or MB (binary units), with thousands separators and at most `digits` decimals; `withUnit` false
 * prints the number alone (for "12 of 40 KB").
 * @param bytes >= 0; non-finite prints "–"
 * @example formatSize(12_582_912, "MB", 1) // "12 MB"; formatSize(1536, "KB", 1) // "1.5 KB"
 */
export function formatSize(bytes: number | null | undefined, unit: "KB" | "MB", digits = 0, withUnit = true): string {
  if (!isNum(bytes)) return MISSING;
  const n = formatNumber(bytes / BYTES_PER[unit], digits);
  return withUnit ? `${n} ${unit}` : n;
}

/**
 * A number rounded to `sig` significant digits (at most 6 decimals), for model figures such as an expected 0.0432
 * conversions, where fixed decimals would print "0.04" or "0".
 * @param sig 1-21 significant digits (default 3)
 * @example formatSig(0.043216) // "0.0432"; formatSig(1234.5) // "1,235" (never fewer than the integer digits)
 */
export function formatSig(n: number | null | undefined, sig = 3): string {
  if (!isNum(n)) return MISSING;
  if (n === 0) return "0";
  const digits = Math.floor(Math.log10(Math.abs(n))) + 1;
  const decimals = Math.min(6, Math.max(0, sig - digits));
  return formatNumber(n, decimals);
}

/**
 * A number rounded to `sig` significant digits in JavaScript's shortest plain form: no thousands separators, no
 * trailing zeros, exponent notation below 1e-6 or from 1e21 (Number.prototype.toString). For technical figures that
 * can be tiny, such as a p-value of 3.2e-9 or a shape parameter, and for numbers put into a URL.
 * Number(n.toPrecision(sig)).toString().
 * @param sig 1-21 significant digits
 * @example formatPlain(0.0123456, 2) // "0.012"; formatPlain(3.21e-9, 2) // "3.2e-9"; formatPlain(14.0, 3) // "14"
 */
export function formatPlain(n: number | null | undefined, sig: number): string {
  if (!isNum(n)) return MISSING;
  const s = Number(n.toPrecision(sig)).toString();
  return s === "-0" ? "0" : s;
}

/**
 * A number with exactly `sig` significant digits, trailing zeros kept, as JavaScript writes it
 * (Number.prototype.toPrecision: exponent notation when the exponent is below -6 or at least `sig`). For test
 * statistics whose shown precision is part of the message: "probability 0.0040", "r = 14.0", "p = 3.2e-9".
 * @param sig 1-100 significant digits
 * @example formatPrecision(0.004, 2) // "0.0040"; formatPrecision(3.21e-9, 2) // "3.2e-9"; formatPrecision(1234, 2) // "1.2e+3"
 */
export function formatPrecision(n: number | null | undefined, sig: number): string {
  if (!isNum(n)) return MISSING;
  const s = n.toPrecision(sig);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/**
 * Returns a money formatter for an ISO 4217 currency; with a null, empty or unknown code the amounts print as plain
 * numbers (2 decimals at most). Build once per page and reuse (the Intl formatter is the costly part).
 * @param currency e.g. "USD", "EUR", "GBP"; null when the file did not say
 * @param opts.digits fixed decimals (default: the currency's own, e.g. 2 for USD, 0 for JPY)
 * @example currencyFormatter("USD")(1234.5) // "$1,234.50"; currencyFormatter(null)(1234.5) // "1,234.5"
 */
export function currencyFormatter(
  currency: string | null | undefined,
  opts: { digits?: number } = {},
): (n: number | null | undefined) => string {
  const code = normaliseCurrency(currency);
  let fmt: Intl.NumberFormat | null = null;
  if (code) {
    const options: Intl.NumberFormatOptions = { style: "currency", currency: code, currencyDisplay: "symbol" };
    if (opts.digits !== undefined) {
      options.minimumFractionDigits = opts.digits;
      options.maximumFractionDigits = opts.digits;
    }
    try {
      fmt = nf(options);
    } catch {
      fmt = null; // malformed code: plain numbers
    }
  }
  const plainDigits = opts.digits ?? 2;
  const zeroBelow = fmt ? 0.5 * 10 ** -(fmt.resolvedOptions().maximumFractionDigits ?? 2) : 0;
  return (n) => {
    if (!isNum(n)) return MISSING;
    if (!fmt) return formatNumber(n, plainDigits);
    // Amounts that round to zero print as "$0.00", never "-$0.00".
    return fmt.format(Math.abs(n) < zeroBelow ? 0 : n);
  };
}

/** One amount in a currency (see currencyFormatter). @example formatCurrency(-3.5, "EUR") // "-€3.50" */
export function formatCurrency(n: number | null | undefined, currency: string | null | undefined, opts: { digits?: number } = {}): string {
  return currencyFormatter(currency, opts)(n);
}

/**
 * A short axis label: compact notation ("1.2K", "$3.4M", one decimal at most), whole numbers from 10 to 999, two
 * decimals at most below 10; never trailing zeros.
 * @param currency optional ISO code; amounts in it get the currency sign
 * @example formatCompact(1234) // "1.2K"; formatCompact(500, "USD") // "$500"; formatCompact(0.25) // "0.25"
 */
export function formatCompact(n: number | null | undefined, currency?: string | null): string {
  if (!isNum(n)) return MISSING;
  const code = normaliseCurrency(currency);
  const a = Math.abs(n);
  const base: Intl.NumberFormatOptions = {
    notation: "compact",
    minimumFractionDigits: 0,
    maximumFractionDigits: a < 10 ? 2 : a < 1000 ? 0 : 1,
  };
  if (code) {
    try {
      return nf({ ...base, style: "currency", currency: code }).format(n);
    } catch {
      // malformed code: plain compact number
    }
  }
  return nf(base).format(n);
}

/** Upper-cased three-letter code, or null when the value is not shaped like an ISO 4217 code. */
export function normaliseCurrency(currency: string | null | undefined): string | null {
  if (!currency) return null;
  const c = currency.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(c) ? c : null;
}

/** The symbol a currency is shown with ("$", "€", "CA$"), or the code itself; "" without a currency. */
export function currencySymbol(currency: string | null | undefined): string {
  const code = normaliseCurrency(currency);
  if (!code) return "";
  try {
    const part = nf({ style: "currency", currency: code })
      .formatToParts(0)
      .find((p) => p.type === "currency");
    return part?.value ?? code;
  } catch {
    return code;
  }
}

/**
 * A fraction as a percentage. Decimals adapt to the size so small rates stay readable: |p| >= 10% -> `digits`
 * (default 1) decimals, 1-10% -> one more, below 1% -> two significant digits (at most 4 decimals).
 * @param p a fraction (0.0234 = 2.34%); any finite number, negatives allowed (a change)
 * @example formatPercent(0.1234) // "12.3%"; formatPercent(0.0234) // "2.34%"; formatPercent(0.000456) // "0.046%"
 */
export function formatPercent(p: number | null | undefined, digits = 1): string {
  if (!isNum(p)) return MISSING;
  const s = formatNumber(p * 100, percentDecimals(p, digits));
  return `${s}%`;
}

/** Decimals formatPercent uses for a fraction p (see there). */
function percentDecimals(p: number, digits: number): number {
  const a = Math.abs(p * 100);
  if (a === 0) return 0;
  if (a >= 10) return digits;
  if (a >= 1) return digits + 1;
  return Math.min(4, Math.max(digits + 1, 1 - Math.floor(Math.log10(a))));
}

/**
 * An interval of fractions as percentages with the same decimals at both ends (those the smaller end needs), so
 * "0.82%–1.00%" rather than "0.82%–1%".
 * @example formatPercentRange(0.0082, 0.01) // "0.82%–1.00%"; formatPercentRange(0.12, 0.2) // "12.0%–20.0%"
 */
export function formatPercentRange(lo: number | null | undefined, hi: number | null | undefined, digits = 1): string {
  if (!isNum(lo) || !isNum(hi)) return MISSING;
  const small = Math.abs(lo) === 0 ? hi : Math.abs(hi) === 0 ? lo : Math.abs(lo) < Math.abs(hi) ? lo : hi;
  const d = percentDecimals(small, digits);
  const f = nf({ minimumFractionDigits: d, maximumFractionDigits: d });
  const one = (x: number) => {
    const t = f.format(x * 100);
    return `${/^-0(\.0*)?$/.test(t) ? t.slice(1) : t}%`;
  };
  return `${one(lo)}–${one(hi)}`;
}

/**
 * A probability for a sentence: like formatPercent, but values within 0.1 percentage points of 0 or 1 print as
 * "<0.1%" / ">99.9%" so a model's 1e-9 never reads as a promise that something cannot happen.
 * @param p in [0, 1]; values outside are clamped (rounding noise), non-finite -> "–"
 * @example formatProbability(0.00002) // "<0.1%"; formatProbability(0.5) // "50%"; formatProbability(0.9996) // ">99.9%"
 */
export function formatProbability(p: number | null | undefined): string {
  if (!isNum(p)) return MISSING;
  const q = Math.min(1, Math.max(0, p));
  if (q === 0) return "0%";
  if (q === 1) return "100%";
  if (q < 0.001) return "<0.1%";
  if (q > 0.999) return ">99.9%";
  const pc = q * 100;
  return `${formatNumber(pc, pc < 10 || pc > 90 ? 1 : 0)}%`;
}

/**
 * An interval "lo–hi" printed with the given formatter; "–" when either end is missing.
 * @example formatRange(0.012, 0.034, formatPercent) // "1.2%–3.4%"
 */
export function formatRange(
  lo: number | null | undefined,
  hi: number | null | undefined,
  fmt: (n: number) => string = (n) => formatNumber(n),
): string {
  if (!isNum(lo) || !isNum(hi)) return MISSING;
  return `${fmt(lo)}–${fmt(hi)}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/**
 * An ISO date (YYYY-MM-DD, or the date part of an ISO timestamp) as "2 Mar 2026"; anything else is returned as is,
 * and null/empty as "–". No time zone is involved: the calendar date in the string is the one printed.
 * @example formatDate("2026-03-02") // "2 Mar 2026"
 */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const month = MONTHS[Number(m[2]) - 1];
  if (!month) return iso;
  return `${Number(m[3])} ${month} ${m[1]}`;
}

/** A short date for chart axes: "2 Mar". @example formatShortDate("2026-03-02") // "2 Mar" */
export function formatShortDate(iso: string | null | undefined): string {
  const s = formatDate(iso);
  const m = /^(\d{1,2} [A-Z][a-z]{2}) \d{4}$/.exec(s);
  return m?.[1] ?? s;
}

/** A UTC timestamp as "2 Mar 2026, 14:05 UTC". @example formatDateTime("2026-03-02T14:05:09.123Z") */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})/.exec(iso);
  if (!m) return formatDate(iso);
  return `${formatDate(m[1])}, ${m[2]}:${m[3]} UTC`;
}

/**
 * A period "2 Jan 2026 – 30 Jun 2026 (180 days)", or "no dates" for files without dates.
 * @example formatPeriod({ start: "2026-01-01", end: "2026-01-07" }) // "1 Jan 2026 – 7 Jan 2026 (7 days)"
 */
export function formatPeriod(period: { start: string | null; end: string | null } | null | undefined): string {
  if (!period || !period.start || !period.end) return "no dates";
  const days = daysBetween(period.start, period.end);
  const span = days === null ? "" : ` (${days} day${days === 1 ? "" : "s"})`;
  return `${formatDate(period.start)} – ${formatDate(period.end)}${span}`;
}

/** Days from start to end inclusive for ISO dates, or null when either is not an ISO date or end < start. */
export function daysBetween(start: string, end: string): number | null {
  const a = Date.parse(`${start.slice(0, 10)}T00:00:00Z`);
  const b = Date.parse(`${end.slice(0, 10)}T00:00:00Z`);
  if (!Number.isFinite(a) || !Number.isFinite(b) || b < a) return null;
  return Math.round((b - a) / 86_400_000) + 1;
}

/**
 * A whole count with its noun, singular only for exactly 1: "1 campaign", "3 campaigns", "12,345 rows".
 * The number is rounded to a whole first, so the noun agrees with what is printed (0.6 -> "1 row").
 * @param n a count; non-finite prints "– words"
 * @example plural(3, "campaign") // "3 campaigns"; plural(1, "sale") // "1 sale"; plural(1, "day", "days") // "1 day"
 */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  if (!isNum(n)) return `${MISSING} ${pluralWord}`;
  const shown = formatNumber(n, 0);
  return `${shown} ${shown === "1" ? word : pluralWord}`;
}

/**
 * A count that may be fractional (expected or attributed conversions) with its noun: printed like formatCount
 * ("48,699", "428.2", "0.25") and singular only when the printed figure is exactly "1".
 * @example pluralCount(1, "conversion") // "1 conversion"; pluralCount(2.5, "sale") // "2.5 sales"
 */
export function pluralCount(n: number | null | undefined, word: string, pluralWord = `${word}s`): string {
  const shown = formatCount(n);
  return `${shown} ${shown === "1" ? word : pluralWord}`;
}

/**
 * An expected count for a sentence ("about 48,699 sales"): whole above 100, three significant digits below, so a
 * model's 48698.8 never prints with a decimal a person would read as precision, and 0.43 stays 0.43.
 * @example formatExpected(48698.8) // "48,699"; formatExpected(12.34) // "12.3"; formatExpected(0.4321) // "0.432"
 */
export function formatExpected(n: number | null | undefined): string {
  if (!isNum(n)) return MISSING;
  return Math.abs(n) >= 100 ? formatNumber(n, 0) : formatSig(n, 3);
}

/** Currencies offered when a file does not name its own (ISO 4217), most used first. */
export const COMMON_CURRENCIES = [
  "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK", "INR", "BRL", "MXN", "SGD", "HKD", "ZAR", "CNY",
] as const;

/**
 * "USD (US Dollar)" for a select; the code alone when the runtime has no English name for it.
 * @example currencyLabel("EUR") // "EUR (Euro)"
 */
export function currencyLabel(code: string): string {
  try {
    const name = new Intl.DisplayNames(LOCALE, { type: "currency" }).of(code);
    return name && name !== code ? `${code} (${name})` : code;
  } catch {
    return code;
  }
}

/** Human name of a source format as stored on a dataset. */
const FORMAT_LABELS: Record<string, string> = {
  generic: "Generic daily template",
  orders: "Order list",
  google_ads: "Google Ads",
  meta_ads: "Meta Ads Manager",
  microsoft_ads: "Microsoft Advertising",
  ad_level: "Ad-level sheet (no dates)",
  mapped: "Custom mapping",
};

export function formatSourceFormat(format: string): string {
  return FORMAT_LABELS[format] ?? format;
}

/** Human name of a row's source (the platform: db/schema.ts SOURCES). */
const SOURCE_LABELS: Record<string, string> = {
  google_ads: "Google Ads",
  meta_ads: "Meta",
  microsoft_ads: "Microsoft Ads",
  other: "Other",
};

/**
 * "Google Ads" for "google_ads": the label of a source as pages and messages show it; an unknown key as it is.
 * @example sourceLabel("meta_ads") // "Meta"
 */
export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? source;
}

/**
 * "Google Ads and Meta", "Google Ads, Meta and Other": source labels joined for a sentence.
 * @example sourceList(["google_ads", "meta_ads"]) // "Google Ads and Meta"
 */
export function sourceList(sources: readonly string[]): string {
  const labels = sources.map(sourceLabel);
  return labels.length <= 1 ? (labels[0] ?? "") : `${labels.slice(0, -1).join(", ")} and ${labels.at(-1)}`;
}

/**
 * "Nice" axis ticks covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about `count` of them
 * (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
 * step = nice((hi - lo) / count), ticks = ceil(lo/step)*step ... floor(hi/step)*step.
 * @param lo,hi finite, lo <= hi; lo === hi gives [lo]
 * @param count desired number of intervals, >= 1
 * @example niceTicks(0, 97, 5) // [0, 20, 40, 60, 80]
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  const out: number[] = [];
  // Integer multiples of the step, so 0.1 + 0.2 style drift never prints as 0.30000000000000004.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}
