/**
 * Reading the dates ad exports write: "2026-01-05", "Jan 5, 2026", "Mon, Jan 5, 2026", "5 January 2026",
 * "05-Jan-2026", "01/05/2026" (day-first or month-first, decided per file), "05.01.2026", and ranges such as
 * "2026-01-05 - 2026-01-11" or "1 January 2026 - 31 January 2026". Output is always an ISO day (YYYY-MM-DD).
 * Pure functions, no I/O.
 */
import type { DateExample, DateOrderEvidence } from "./messages";

export type DateOrder = "day-first" | "month-first";

export interface DayRange {
  start: string;
  end: string;
}

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11,
  dec: 12, december: 12,
};

const WEEKDAY_PREFIX = /^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+/i;
const TIME_SUFFIX = /(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)$/;
const ISO = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const NUMERIC = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})$/;
const DAY_MONTH_YEAR = /^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{4})$/;
const MONTH_DAY_YEAR = /^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/;
const MONTH_YEAR = /^([A-Za-z]+)\.?\s+(\d{4})$/;
const RANGE_SPLIT = /\s+(?:-|\u2013|\u2014|to)\s+|\s*[\u2013\u2014]\s*/;

/**
 * Days in a month of the proleptic Gregorian calendar.
 * Formula: 31 for months 1,3,5,7,8,10,12; 30 for 4,6,9,11; February 29 when y divisible by 4 and (not by 100 or
 * by 400), else 28.
 * @param y year (any integer); @param m month 1-12
 * @example daysInMonth(2024, 2) // returns 29
 * Reference: ISO 8601 calendar; the leap-year rule of the Gregorian reform (1582).
 */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Builds an ISO day after checking it exists (years 1900-2199); null otherwise. */
function isoDay(y: number, m: number, d: number): string | null {
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

const fullYear = (s: string) => (s.length === 2 ? 2000 + Number(s) : Number(s));

/**
 * Reads one day. `order` decides "01/05/2026" (and "01-05-2026"); "05.01.2026" is always day-first (the dotted
 * form is European). Returns the ISO day, or null when the text is not a real date.
 * A plain ISO day ("2026-01-05") is recognised without allocating and returned as is.
 * @example parseDay("Jan 5, 2026", "month-first") // returns "2026-01-05"
 * @example parseDay("05/01/2026", "day-first") // returns "2026-01-05"
 * @example parseDay("2026-02-30", "month-first") // returns null
 */
export function parseDay(s: string, order: DateOrder): string | null {
  if (s.length === 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    let ok = true;
    for (let i = 0; i < 10; i++) {
      if (i === 4 || i === 7) continue;
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) {
        ok = false;
        break;
      }
    }
    if (ok) {
      const y = (s.charCodeAt(0) - 48) * 1000 + (s.charCodeAt(1) - 48) * 100 + (s.charCodeAt(2) - 48) * 10 + (s.charCodeAt(3) - 48);
      const m = (s.charCodeAt(5) - 48) * 10 + (s.charCodeAt(6) - 48);
      const d = (s.charCodeAt(8) - 48) * 10 + (s.charCodeAt(9) - 48);
      if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
      return s;
    }
  }
  return parseDaySlow(s, order);
}

function parseDaySlow(raw: string, order: DateOrder): string | null {
  let s = raw.trim();
  if (s === "") return null;
  s = s.replace(WEEKDAY_PREFIX, "").replace(TIME_SUFFIX, "").trim();
  let m = ISO.exec(s);
  if (m) return isoDay(Number(m[1]), Number(m[2]), Number(m[3]));
  m = NUMERIC.exec(s);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const y = fullYear(m[4] ?? "");
    const dayFirst = m[2] === "." || order === "day-first";
    return dayFirst ? isoDay(y, b, a) : isoDay(y, a, b);
  }
  m = DAY_MONTH_YEAR.exec(s);
  if (m) {
    const month = MONTHS[(m[2] ?? "").toLowerCase()];
    return month ? isoDay(Number(m[3]), month, Number(m[1])) : null;
  }
  m = MONTH_DAY_YEAR.exec(s);
  if (m) {
    const month = MONTHS[(m[1] ?? "").toLowerCase()];
    return month ? isoDay(Number(m[3]), month, Number(m[2])) : null;
  }
  return null;
}

/**
 * Reads a day or a period: a single day gives start = end; "A - B" (also "A – B", "A to B") gives both ends;
 * a month ("January 2026") gives its first and last day. Null when unreadable or when the end is before the start.
 * @example parseDayRange("2026-01-05 - 2026-01-11", "month-first") // returns { start: "2026-01-05", end: "2026-01-11" }
 */
export function parseDayRange(s: string, order: DateOrder): DayRange | null {
  const day = parseDay(s, order);
  if (day) return { start: day, end: day };
  const t = s.trim();
  const month = MONTH_YEAR.exec(t);
  if (month) {
    const mo = MONTHS[(month[1] ?? "").toLowerCase()];
    const y = Number(month[2]);
    if (!mo) return null;
    const start = isoDay(y, mo, 1);
    const end = isoDay(y, mo, daysInMonth(y, mo));
    return start && end ? { start, end } : null;
  }
  const parts = t.split(RANGE_SPLIT);
  if (parts.length !== 2) return null;
  const start = parseDay(parts[0] ?? "", order);
  const end = parseDay(parts[1] ?? "", order);
  if (!start || !end || end < start) return null;
  return { start, end };
}

/**
 * Adds whole days to an ISO day (UTC calendar arithmetic, no time zones involved).
 * @example addDays("2026-01-05", 6) // returns "2026-01-11"
 */
export function addDays(iso: string, days: number): string {
  const t = Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Last day of the month an ISO day falls in. @example endOfMonth("2026-02-10") // returns "2026-02-28" */
export function endOfMonth(iso: string): string {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  return `${iso.slice(0, 8)}${pad2(daysInMonth(y, m))}`;
}

const SLASH_PARTS = /(?:^|\D)(\d{1,2})[/-](\d{1,2})[/-](?:\d{4}|\d{2})(?!\d)/g;

/**
 * Collects evidence on whether a file's slash dates are day-first or month-first: a first part above 12 can
 * only be a day, a second part above 12 can only be a day in the month-first reading. Dates where both parts are
 * at most 12 (and differ) are ambiguous. Dotted dates ("05.01.2026") and ISO dates are not evidence.
 */
export class DateOrderVote {
  dayFirst = 0;
  monthFirst = 0;
  ambiguous = 0;
  /** First example of each kind, with its line, for the message that explains the decision. */
  dayFirstExample: DateExample | null = null;
  monthFirstExample: DateExample | null = null;
  ambiguousExample: DateExample | null = null;

  /** Looks at one date cell (or range); cheap when the cell has no slash or dash-separated day. */
  add(cell: string, line: number | null): void {
    if (cell.indexOf("/") < 0 && !/(?:^|\D)\d{1,2}-\d{1,2}-\d/.test(cell)) return;
    SLASH_PARTS.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = SLASH_PARTS.exec(cell)) !== null) {
      const a = Number(m[1]);
      const b = Number(m[2]);
      const text = m[0].replace(/^\D/, "");
      if (a > 12 && b <= 12) {
        this.dayFirst++;
        this.dayFirstExample ??= { text, line };
      } else if (b > 12 && a <= 12) {
        this.monthFirst++;
        this.monthFirstExample ??= { text, line };
      } else if (a <= 12 && b <= 12 && a !== b) {
        this.ambiguous++;
        this.ambiguousExample ??= { text, line };
      }
    }
  }

  /** True once one reading is ruled out. */
  get decided(): boolean {
    return this.dayFirst > 0 || this.monthFirst > 0;
  }

  /** True when slash dates were seen at all. */
  get seen(): boolean {
    return this.dayFirst + this.monthFirst + this.ambiguous > 0;
  }

  /**
   * The order to read the file with: day-first when some first part exceeds 12, month-first when some second
   * part does; with evidence both ways, the reading with more evidence (the other rows then fail as dates); with
   * none, month-first (and `explain` says it was a guess).
   */
  get order(): DateOrder {
    if (this.dayFirst > this.monthFirst) return "day-first";
    return "month-first";
  }

  /** How the order was decided and why (rendered by dateOrderText in ./messages); null when no slash date was seen. */
  explain(): DateOrderEvidence | null {
    if (!this.seen) return null;
    const d = this.dayFirstExample;
    const m = this.monthFirstExample;
    if (d && m) {
      const dayFirst = this.order === "day-first";
      return { code: "mixed", order: this.order, winner: dayFirst ? d : m, loser: dayFirst ? m : d };
    }
    if (d) return { code: "only", order: "day-first", example: d };
    if (m) return { code: "only", order: "month-first", example: m };
    return { code: "guessed", example: this.ambiguousExample };
  }
}
