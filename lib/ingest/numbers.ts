/**
 * Reading the numbers ad platforms write: "795,836", "1.234,56", "$2,691.41", " --", "< 10%", "(12.50)".
 * Pure functions, no I/O; the importer calls `parseNumberCell` once per imported cell, so the common case (plain
 * digits) takes a fast path that allocates nothing.
 */

/** The decimal mark of a file: "." ("1,234.56") or "," ("1.234,56"). */
export type DecimalMark = "." | ",";

/** Cells that mean "no value" in exports (Google Ads writes " --"). Compared after trimming and lower-casing. */
const EMPTY_MARKERS = new Set(["", "-", "--", "---", "\u2013", "\u2014", "n/a", "na", "null", "none", "(not set)"]);

/** Currency symbols (longest first) and the ISO 4217 code each one stands for in ad exports. */
const CURRENCY_SYMBOLS: readonly (readonly [string, string])[] = [
  ["US$", "USD"],
  ["CA$", "CAD"],
  ["C$", "CAD"],
  ["AU$", "AUD"],
  ["A$", "AUD"],
  ["NZ$", "NZD"],
  ["R$", "BRL"],
  ["CHF", "CHF"],
  ["$", "USD"],
  ["\u20ac", "EUR"],
  ["\u00a3", "GBP"],
  ["\u00a5", "JPY"],
  ["\u20b9", "INR"],
  ["\u20a9", "KRW"],
  ["z\u0142", "PLN"],
  ["kr", "SEK"],
];

const CODE_PREFIX = /^([A-Z]{3})\s*(?=[\d.,(\-\u2212])/;
const CODE_SUFFIX = /(?<=[\d.,)])\s*([A-Z]{3})$/;

// Digit groups: "1,234,567.89" with a decimal point; "1.234.567,89" with a decimal comma; either with spaces,
// no-break spaces, narrow no-break spaces or apostrophes ("1 234,56", "1'234.56") as the group separator.
const POINT_PLAIN = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const POINT_GROUPED = /^\d{1,3}(?:(,)\d{3}(?:\1\d{3})*|([ \u00a0\u202f'])\d{3}(?:\2\d{3})*)(?:\.\d+)?$/;
const COMMA_PLAIN = /^(?:\d+(?:,\d*)?|,\d+)$/;
const COMMA_GROUPED = /^\d{1,3}(?:(\.)\d{3}(?:\1\d{3})*|([ \u00a0\u202f'])\d{3}(?:\2\d{3})*)(?:,\d+)?$/;
const GROUP_SEPARATORS = /[,. \u00a0\u202f']/g;

/**
 * Reads one cell as a count or an amount.
 *
 * Accepted: plain numbers ("795836", "2691.41", "1.5e3"); digit groups ("795,836", or "1.234,56" when the file's
 * decimal mark is ","); currency symbols and ISO codes on either side ("$1,234.50", "12,50 €", "USD 12.00"); a
 * leading minus or accounting parentheses ("(12.50)" is -12.5; the caller rejects negatives).
 * Empty markers ("", " --", "-", "—", "N/A", "(not set)") give `null`: the cell has no value.
 * Anything else gives NaN, including percentages ("1.16%") and bounds ("< 10%"): they are shares, not counts, and
 * only matter when a mapping points a count at such a column. `numberProblem` says why in words.
 *
 * Fast path (`parsePlainNumber`): a cell of at most 15 ASCII digits with at most one decimal mark is converted
 * without allocating.
 *
 * @param s the cell as parsed from the CSV (unquoted); undefined when the row is short (treated as empty)
 * @param decimalMark "." or "," (from `inferDecimalMark` over the file's first rows)
 * @returns a finite number, `null` for an empty cell, or NaN when the cell is not a number
 * @example parseNumberCell("4,838.80", ".") // returns 4838.8
 * @example parseNumberCell("1.234,56", ",") // returns 1234.56
 * @example parseNumberCell(" --", ".") // returns null
 * Reference: RFC 4180 gives no number syntax; these rules follow what Google Ads, Meta, Microsoft Advertising and
 * spreadsheet CSV exports write (see tests/fixtures/ingest/). Fast path: W. D. Clinger, "How to read floating
 * point numbers accurately", PLDI 1990 (exact when the digits fit in 53 bits and the power of ten is exact).
 */
export function parseNumberCell(s: string | undefined, decimalMark: DecimalMark): number | null {
  if (s === undefined) return null;
  const n = s.length;
  if (n === 0) return null;
  const v = parsePlainNumber(s, 0, n, decimalMark === "." ? 46 : 44);
  return v === v ? v : parseNumberSlow(s, decimalMark);
}

/**
 * The fast path of `parseNumberCell` over `text[start, end)`, without slicing: a run of at most 15 ASCII digits
 * with at most one decimal mark (and at least one digit), read as v / 10^k. Anything else (empty, signs, groups,
 * symbols, more digits) gives NaN, meaning "not a plain number, use `parseNumberCell`".
 * Exact: up to 15 digits accumulate exactly in a double (< 2^53) and 10^k (k <= 15) is exact, so the one
 * division gives the correctly rounded value of the decimal, the same double `Number(...)` gives.
 * @param text the text holding the cell (a whole chunk of a file, say)
 * @param start first character of the cell; @param end one past its last (0 <= start <= end <= text.length)
 * @param markCode char code of the decimal mark: 46 (".") or 44 (",")
 * @returns a finite number >= 0, or NaN (never null: an empty cell is the caller's to see first)
 * @example parsePlainNumber("x,18.50,y", 2, 7, 46) // returns 18.5
 * Reference: W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990.
 */
export function parsePlainNumber(text: string, start: number, end: number, markCode: number): number {
  if (end - start > 16) return NaN;
  let v = 0;
  let frac = -1;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === markCode && frac < 0) {
      frac = 0;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15) return NaN;
  return frac > 0 ? v / (POW10[frac] as number) : v;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

function stripCurrency(t: string): string {
  for (const [sym] of CURRENCY_SYMBOLS) {
    if (t.startsWith(sym)) return t.slice(sym.length).trim();
    if (t.endsWith(sym)) return t.slice(0, t.length - sym.length).trim();
  }
  const pre = CODE_PREFIX.exec(t);
  if (pre) return t.slice(pre[0].length).trim();
  const suf = CODE_SUFFIX.exec(t);
  if (suf) return t.slice(0, t.length - suf[0].length).trim();
  return t;
}

function parseNumberSlow(s: string, decimalMark: DecimalMark): number | null {
  let t = s.trim();
  if (EMPTY_MARKERS.has(t.toLowerCase())) return null;
  if (t.includes("%") || t.includes("<") || t.includes(">")) return NaN;
  let negative = false;
  if (t.startsWith("(") && t.endsWith(")")) {
    negative = true;
    t = t.slice(1, -1).trim();
  }
  for (let pass = 0; pass < 2; pass++) {
    if (t.startsWith("-") || t.startsWith("\u2212")) {
      negative = !negative;
      t = t.slice(1).trim();
    } else if (t.startsWith("+")) {
      t = t.slice(1).trim();
    }
    if (pass === 0) t = stripCurrency(t);
  }
  let v: number;
  if (decimalMark === ".") {
    if (POINT_PLAIN.test(t)) v = +t;
    else if (POINT_GROUPED.test(t)) v = +t.replace(GROUP_SEPARATORS, (m) => (m === "." ? "." : ""));
    else return NaN;
  } else {
    if (COMMA_PLAIN.test(t)) v = +t.replace(",", ".");
    else if (COMMA_GROUPED.test(t)) v = +t.replace(GROUP_SEPARATORS, (m) => (m === "," ? "." : ""));
    else return NaN;
  }
  if (!Number.isFinite(v)) return NaN;
  if (v === 0) return 0;
  return negative ? -v : v;
}

/**
 * Says in words why `parseNumberCell` refused a cell (only called on the failure path).
 * @example numberProblem("< 10%", ".") // returns '"< 10%" is a bound, not a number'
 */
export function numberProblem(s: string, decimalMark: DecimalMark): string {
  const t = s.trim();
  const shown = JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t);
  if (t.includes("<") || t.includes(">")) return `${shown} is a bound, not a number`;
  if (t.includes("%")) return `${shown} is a percentage, not a count or an amount`;
  if (decimalMark === "." && /^-?\d+,\d{1,2}$/.test(t)) {
    return `${shown} looks like a decimal comma, but this file writes decimals with a point`;
  }
  if (decimalMark === "," && /^-?\d+\.\d{1,2}$/.test(t)) {
    return `${shown} looks like a decimal point, but this file writes decimals with a comma`;
  }
  return `${shown} is not a number`;
}

/**
 * The ISO 4217 code a cell's currency symbol or code names, if any.
 * @example currencyOfCell("€12,50") // returns "EUR"
 * @example currencyOfCell("12.00") // returns null
 */
export function currencyOfCell(s: string): string | null {
  const t = s.trim().replace(/^[-\u2212(]\s*/, "");
  for (const [sym, code] of CURRENCY_SYMBOLS) {
    if (sym === "kr" || sym === "CHF") continue;
    if (t.startsWith(sym) || t.endsWith(sym)) return code;
  }
  const pre = CODE_PREFIX.exec(t);
  if (pre) return pre[1] ?? null;
  const suf = CODE_SUFFIX.exec(t);
  if (suf) return suf[1] ?? null;
  return null;
}

/**
 * Decides a file's decimal mark from sample cells of its number columns.
 *
 * Evidence for ",": a cell with both marks where the comma comes last ("1.234,56"), or a comma followed by 1-2 or
 * 4+ digits ("12,5", "0,1234"). Evidence for ".": the mirror images ("1,234.56", "12.50"). Cells such as "1,234"
 * or "1.234" are ambiguous and count for neither. More evidence wins; with none, or a tie, "." unless the file is
 * semicolon-separated (the spreadsheet convention where "," is the decimal mark).
 *
 * @param samples raw cells from the columns that will be read as numbers (any count, including none)
 * @param delimiter the file's field separator
 * @example inferDecimalMark(["1.234,56", "12,5"], ";") // returns ","
 * Reference: Unicode CLDR number symbols (decimal and group separators by locale); Excel writes ";"-separated
 * CSV exactly in the locales whose decimal separator is ",".
 */
export function inferDecimalMark(samples: readonly string[], delimiter: string): DecimalMark {
  let comma = 0;
  let point = 0;
  for (const raw of samples) {
    const t = raw.replace(/[^\d.,]/g, "");
    const lastComma = t.lastIndexOf(",");
    const lastPoint = t.lastIndexOf(".");
    if (lastComma >= 0 && lastPoint >= 0) {
      if (lastComma > lastPoint) comma++;
      else point++;
    } else if (lastComma >= 0) {
      if (t.indexOf(",") !== lastComma) point++; // "1,234,567": commas group digits
      else if (t.length - lastComma - 1 !== 3 || lastComma > 3 || t.startsWith("0,")) comma++; // "12,5", "0,123"
    } else if (lastPoint >= 0) {
      if (t.indexOf(".") !== lastPoint) comma++; // "1.234.567": points group digits
      else if (t.length - lastPoint - 1 !== 3 || lastPoint > 3 || t.startsWith("0.")) point++; // "12.50", "0.125"
    }
  }
  if (comma > point) return ",";
  if (point > comma) return ".";
  return delimiter === ";" ? "," : ".";
}
