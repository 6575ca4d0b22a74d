/**
 * The row reader: one record's cells in, what the row is out (a typed observation or order, a rejection with its
 * reason, a totals row, a footer, or a blank line). No SQL, no I/O: the import pipeline (./pipeline) hands what it
 * reads to the running sums (./tally) and to a row sink (the database, or memory in tests).
 *
 * Two ways in, one answer: `read` takes the cells papaparse splits; `readPlain` takes one line of a quote-free file
 * as text and offsets, and reads a row in its common form (exact width, plain campaign, date and numbers) without
 * building a string per cell. Anything else it leaves to `read` (it returns null), so both give the same rows.
 *
 * The reader keeps small caches (the last campaign name, date cell and end-date cell: files repeat them on many
 * consecutive rows); they make no difference to what it answers.
 */
import type { ObservationRow, OrderRow } from "@/lib/types/ingest-rows";
import * as chars from "./chars";
import { addDays, endOfMonth, parseDay, parseDayRange, type DateOrder, type DayRange } from "./dates";
import type { Field } from "./headers";
import type { Rejection } from "./messages";
import { numberProblem, parseNumberCell, parsePlainNumber, type DecimalMark } from "./numbers";
import { isBlankRecord } from "./records";
import { isFooter, isTotalsCell, totalsLabel } from "./rows";

/** What the reader needs to know of a file (see FileLayout in ./detect, and `rowLayoutOf` in ./pipeline). */
export interface RowLayout {
  kind: "observations" | "orders";
  /** field -> column index, -1 when the field is not in the file. */
  columns: Readonly<Record<Field, number>>;
  /** The header's cells as written (named in rejection reasons); their count is the expected row width. */
  headers: readonly string[];
  delimiter: string;
  decimalMark: DecimalMark;
  /** How slash dates are read (decided per file before the rows are read). */
  dateOrder: DateOrder;
  /** A row's date is a day, or the first day of a week ("Week" column) or a month ("Month" column). */
  dateSpan: "day" | "week" | "month";
  /** The period of every row of a file without a date column (from a date-range line above the header). */
  preambleRange: DayRange | null;
  /** Empty clicks and conversions cells mean 0 (Meta Ads Manager leaves them empty when there were none). */
  blankIsZero: boolean;
}

/** The campaign cell as written, when it had spaces or tabs around the name (removed); else null. */
interface CampaignSeen {
  paddedCampaign: string | null;
}

export type ObservationRead = { kind: "observation" } & ObservationRow & CampaignSeen;
export type OrderRead = { kind: "order" } & OrderRow & CampaignSeen;
/**
 * A row that is not imported. `campaign` is the row's campaign when the reader got as far as reading it (the import
 * counts a campaign name and a padded spelling as soon as it is read), else null.
 */
export type RejectedRead = { kind: "rejected"; rejection: Rejection; campaign: string | null } & CampaignSeen;
export type RowRead =
  | ObservationRead
  | OrderRead
  | RejectedRead
  /** A totals row ("Total: Campaigns"), kept to reconcile the imported sums; `label` is its cell, trimmed. */
  | { kind: "totals"; label: string }
  /** A copyright or "all rights reserved" line, skipped. */
  | { kind: "footer" }
  /** A blank line or a row of empty cells, skipped. */
  | { kind: "blank" };

const BLANK: RowRead = Object.freeze({ kind: "blank" });
const FOOTER: RowRead = Object.freeze({ kind: "footer" });
/** A number cell that is empty (or not in the file): a value of its own, below every valid figure. */
const EMPTY = -1;
// Module-level copies of imported names used once or more per row: under the CommonJS transform (tsx: the benchmark,
// the tests) every use of an imported name goes through a getter on the module's exports, which cost about 70 ms per
// million rows for `parsePlainNumber` and 100 ms for the character codes.
const plainNumber = parsePlainNumber;
const { COMMA, LOWER_T, PERIOD, SPACE, UPPER_T } = chars;

const rejected = (rejection: Rejection, campaign: string | null = null, paddedCampaign: string | null = null): RejectedRead => ({
  kind: "rejected",
  rejection,
  campaign,
  paddedCampaign,
});

export class RowReader {
  private readonly width: number;
  private readonly markCode: number;
  // column of each field in a record, -1 when not in the file
  private readonly campaignCol: number;
  private readonly segmentCol: number;
  private readonly dateCol: number;
  private readonly dateEndCol: number;
  private readonly impressionsCol: number;
  private readonly clicksCol: number;
  private readonly conversionsCol: number;
  private readonly conversionsAltCol: number;
  private readonly spendCol: number;
  private readonly revenueCol: number;
  private readonly orderIdCol: number;
  private readonly valueCol: number;
  private readonly currencyCol: number;
  /** Field start offsets of the line on the plain path (width + 1 entries: field i is [start[i], start[i+1] - 1)). */
  private readonly starts: Int32Array;
  // the last campaign name read (trimmed), and whether that name is itself a totals label
  private lastCampaign: string | null = null;
  private lastCampaignIsTotals = false;
  // the last date cell and the period read from it; the last end-date cell and its day
  private lastDateRaw: string | null = null;
  private lastStart: string | null = null;
  /** The end of the period the last date cell gives by itself (its day, or its range's, week's or month's end). */
  private lastDateEnd: string | null = null;
  /** The current row's period end: lastDateEnd, or the row's own end-date cell when it has a readable one. */
  private lastEnd: string | null = null;
  private lastEndRaw: string | null = null;
  private lastEndParsed: string | null = null;
  /** The last currency cell seen on the plain path (reused so that equal cells are one string). */
  private lastCurrencyRaw: string | null = null;
  /** Why the last number cell read by `num` or `required` failed (set with their NaN answer). */
  private failure: Rejection = { code: "no_figures" };

  constructor(private readonly layout: RowLayout) {
    const c = layout.columns;
    this.campaignCol = c.campaign;
    this.segmentCol = c.segment;
    this.dateCol = c.date;
    this.dateEndCol = c.date_end;
    this.impressionsCol = c.impressions;
    this.clicksCol = c.clicks;
    this.conversionsCol = c.conversions;
    this.conversionsAltCol = c.conversions_alt;
    this.spendCol = c.spend;
    this.revenueCol = c.revenue;
    this.orderIdCol = c.order_id;
    this.valueCol = c.value;
    this.currencyCol = c.currency;
    this.width = layout.headers.length;
    this.markCode = layout.decimalMark === "." ? PERIOD : COMMA;
    this.starts = new Int32Array(this.width + 1);
  }

  /**
   * Reads one record (its 1-based `line` in the file): blank lines, footers and totals rows first, then the width,
   * then the row itself. `badQuotes`: the parser found a malformed quote in this record (it is rejected as such).
   */
  read(f: string[], line: number, badQuotes = false): RowRead {
    if (f.length === 1 && f[0] === "") return BLANK;
    if (badQuotes) return rejected({ code: "malformed_quotes" });
    if (f.length !== this.width) {
      const refused = this.checkWidth(f);
      if (refused !== null) return refused;
    }
    const c0 = (f[0] as string).charCodeAt(0);
    const campaignCell = f[this.campaignCol];
    const cc0 = campaignCell === undefined ? 0 : campaignCell.charCodeAt(0);
    if (c0 === UPPER_T || c0 === LOWER_T || c0 === SPACE || cc0 === UPPER_T || cc0 === LOWER_T || cc0 === SPACE) {
      const label = totalsLabel(f, this.campaignCol);
      if (label !== null) return { kind: "totals", label };
    }
    return this.layout.kind === "orders" ? this.order(f, line) : this.observation(f, line);
  }

  /**
   * The plain path for one line `text[from, to)` of a quote-free observations file: the row when it has exactly the
   * header's width and its campaign, date and number cells are all in their common form; otherwise null, having
   * changed nothing but the caches, and `read` of the line's cells gives the answer.
   */
  readPlain(text: string, from: number, to: number, line: number): ObservationRead | null {
    const starts = this.starts;
    const n = this.width;
    const d = this.layout.delimiter;
    starts[0] = from;
    let at = from;
    for (let k = 1; k < n; k++) {
      const cut = text.indexOf(d, at);
      if (cut < 0 || cut >= to) return null; // fewer values than the header
      at = cut + 1;
      starts[k] = at;
    }
    const extra = text.indexOf(d, at);
    if (extra >= 0 && extra < to) return null; // more values than the header
    starts[n] = to + 1;
    // a totals row has its label in the first or the campaign cell (see `read` and totalsLabel)
    const c0 = text.charCodeAt(from);
    if ((c0 === UPPER_T || c0 === LOWER_T || c0 === SPACE) && isTotalsCell(text.slice(from, (starts[1] as number) - 1))) return null;

    const campaignStart = starts[this.campaignCol] as number;
    const campaignEnd = (starts[this.campaignCol + 1] as number) - 1;
    const len = campaignEnd - campaignStart;
    if (len === 0) return null;
    let campaign = this.lastCampaign;
    if (campaign === null || len !== campaign.length || !text.startsWith(campaign, campaignStart)) {
      // cells with spaces or controls at either end go to `read` (it trims them)
      if (text.charCodeAt(campaignStart) <= SPACE || text.charCodeAt(campaignEnd - 1) <= SPACE) return null;
      campaign = text.slice(campaignStart, campaignEnd);
      const first = campaign.charCodeAt(0);
      if (campaign === "--" || ((first === UPPER_T || first === LOWER_T) && isTotalsCell(campaign))) return null;
      this.noteCampaign(campaign);
    } else if (this.lastCampaignIsTotals) {
      return null; // the last name came trimmed from a cell such as "\tTotal": this cell is the totals label itself
    }

    if (this.dateCol >= 0) {
      const a = starts[this.dateCol] as number;
      const e = (starts[this.dateCol + 1] as number) - 1;
      const raw = this.lastDateRaw;
      if (raw === null || e - a !== raw.length || !text.startsWith(raw, a)) this.readDate(text.slice(a, e));
      this.lastEnd = this.lastDateEnd;
      if (this.lastStart === null) return null;
      if (this.dateEndCol >= 0) {
        const a2 = starts[this.dateEndCol] as number;
        const e2 = (starts[this.dateEndCol + 1] as number) - 1;
        const endRaw = this.lastEndRaw;
        const endCell = endRaw !== null && e2 - a2 === endRaw.length && text.startsWith(endRaw, a2) ? endRaw : text.slice(a2, e2);
        if (this.readEnd(endCell) !== null) return null;
      }
    } else {
      this.noDate();
    }

    const impressions = this.plainNum(text, this.impressionsCol, true);
    const clicks = this.plainNum(text, this.clicksCol, true);
    const conversions = this.plainNum(text, this.conversionsCol, false);
    const conversionsAlt = this.plainNum(text, this.conversionsAltCol, false);
    const spend = this.plainNum(text, this.spendCol, false);
    const revenue = this.plainNum(text, this.revenueCol, false);
    // NaN: a cell that is not a plain number (`read` reads it or says why not)
    if (impressions !== impressions || clicks !== clicks || conversions !== conversions) return null;
    if (conversionsAlt !== conversionsAlt || spend !== spend || revenue !== revenue) return null;
    if (impressions === EMPTY && clicks === EMPTY && conversions === EMPTY && spend === EMPTY) return null;
    // a required figure missing: `read` decides (a rejection, or 0 where the format writes blanks for zero)
    if (clicks === EMPTY && this.clicksCol >= 0) return null;
    if (conversions === EMPTY && this.conversionsCol >= 0) return null;
    if (spend === EMPTY && this.spendCol >= 0) return null;

    let segment = "";
    if (this.segmentCol >= 0) segment = text.slice(starts[this.segmentCol] as number, (starts[this.segmentCol + 1] as number) - 1).trim();
    let currency: string | null = null;
    if (this.currencyCol >= 0) {
      const a = starts[this.currencyCol] as number;
      const e = (starts[this.currencyCol + 1] as number) - 1;
      const last = this.lastCurrencyRaw;
      currency = last !== null && e - a === last.length && text.startsWith(last, a) ? last : (this.lastCurrencyRaw = text.slice(a, e));
    }
    return this.observationRow(line, campaign, null, segment, impressions, clicks, conversions, conversionsAlt, spend, revenue, currency);
  }

  /**
   * A number cell on the plain path: the value, EMPTY for an empty cell or a column not in the file, or NaN when
   * the cell is not a plain non-negative number (or not whole where `whole`).
   */
  private plainNum(text: string, col: number, whole: boolean): number {
    if (col < 0) return EMPTY;
    const a = this.starts[col] as number;
    const e = (this.starts[col + 1] as number) - 1;
    if (a === e) return EMPTY;
    const v = plainNumber(text, a, e, this.markCode);
    return whole && !Number.isInteger(v) ? NaN : v;
  }

  /** A row narrower or wider than the header: null when it is read as a row (missing cells read as empty). */
  private checkWidth(f: string[]): RowRead | null {
    if (isBlankRecord(f)) return BLANK;
    if (isFooter(f)) return FOOTER;
    if (f.length > this.width) {
      for (let i = this.width; i < f.length; i++) {
        if ((f[i] as string).trim() !== "") return rejected({ code: "too_many_values", values: f.length, columns: this.width });
      }
    }
    if (f.length === 1 && this.width > 1) return rejected({ code: "single_value" });
    return null;
  }

  private observation(f: string[], line: number): RowRead {
    const raw = f[this.campaignCol] ?? "";
    const campaign = trimName(raw);
    const padded = campaign !== raw && campaign !== "" ? raw : null;
    if (campaign === "" || campaign === "--") return this.noCampaign(f, padded);
    if (campaign !== this.lastCampaign) this.noteCampaign(campaign);
    const refused = this.period(f);
    if (refused !== null) return rejected(refused, campaign, padded);
    const impressions = this.num(f, this.impressionsCol, true);
    const clicks = this.required(f, this.clicksCol, this.num(f, this.clicksCol, true), "clicks");
    const conversions = this.required(f, this.conversionsCol, this.num(f, this.conversionsCol, false), "conversions");
    const conversionsAlt = this.num(f, this.conversionsAltCol, false);
    const spend = this.required(f, this.spendCol, this.num(f, this.spendCol, false), "spend");
    const revenue = this.num(f, this.revenueCol, false);
    if (impressions !== impressions || clicks !== clicks || conversions !== conversions) return rejected(this.failure, campaign, padded);
    if (conversionsAlt !== conversionsAlt || spend !== spend || revenue !== revenue) return rejected(this.failure, campaign, padded);
    if (impressions === EMPTY && clicks === EMPTY && conversions === EMPTY && spend === EMPTY) {
      return rejected({ code: "no_figures" }, campaign, padded);
    }
    const segment = this.segmentCol >= 0 ? (f[this.segmentCol] ?? "").trim() : "";
    const currency = this.currencyCol >= 0 ? (f[this.currencyCol] ?? "") : null;
    return this.observationRow(line, campaign, padded, segment, impressions, clicks, conversions, conversionsAlt, spend, revenue, currency);
  }

  /** Figures as read (EMPTY for an empty cell) into the row: counts default to 0, the optional ones to null. */
  private observationRow(
    line: number,
    campaign: string,
    paddedCampaign: string | null,
    segment: string,
    impressions: number,
    clicks: number,
    conversions: number,
    conversionsAlt: number,
    spend: number,
    revenue: number,
    currency: string | null,
  ): ObservationRead {
    return {
      kind: "observation",
      line,
      campaign,
      paddedCampaign,
      segment,
      periodStart: this.lastStart,
      periodEnd: this.lastEnd,
      impressions: impressions === EMPTY ? null : impressions,
      clicks: clicks === EMPTY ? 0 : clicks,
      conversions: conversions === EMPTY ? 0 : conversions,
      conversionsAlt: conversionsAlt === EMPTY ? null : conversionsAlt,
      spend: spend === EMPTY ? 0 : spend,
      revenue: revenue === EMPTY ? null : revenue,
      currency,
    };
  }

  private order(f: string[], line: number): RowRead {
    const raw = f[this.campaignCol] ?? "";
    const campaign = trimName(raw);
    const padded = campaign !== raw && campaign !== "" ? raw : null;
    if (campaign === "" || campaign === "--") return this.noCampaign(f, padded);
    if (campaign !== this.lastCampaign) this.noteCampaign(campaign);
    let date: string | null = null;
    let dateEnd: string | null = null;
    if (this.dateCol >= 0) {
      const refused = this.period(f);
      if (refused !== null) return rejected(refused, campaign, padded);
      date = this.lastStart;
      dateEnd = this.lastEnd;
    }
    const value = this.num(f, this.valueCol, false);
    if (value !== value) return rejected(this.failure, campaign, padded);
    if (value === EMPTY) return rejected({ code: "no_order_value", header: this.header(this.valueCol) }, campaign, padded);
    const orderId = this.orderIdCol >= 0 ? (f[this.orderIdCol] ?? "").trim() : "";
    return {
      kind: "order",
      line,
      campaign,
      paddedCampaign: padded,
      date,
      dateEnd,
      orderId: orderId === "" ? null : orderId,
      value,
      currency: this.currencyCol >= 0 ? (f[this.currencyCol] ?? "") : null,
    };
  }

  /** A row with an empty campaign cell: blank, a footer, or rejected. */
  private noCampaign(f: string[], padded: string | null): RowRead {
    if (isBlankRecord(f)) return BLANK;
    if (isFooter(f)) return FOOTER;
    return rejected({ code: "no_campaign", header: this.header(this.campaignCol) }, null, padded);
  }

  private noteCampaign(campaign: string): void {
    this.lastCampaign = campaign;
    const c = campaign.charCodeAt(0);
    this.lastCampaignIsTotals = (c === UPPER_T || c === LOWER_T) && isTotalsCell(campaign);
  }

  private header(col: number): string {
    return this.layout.headers[col] ?? "";
  }

  /** Reads a row's date cell (cached: consecutive rows usually share the day). Sets lastStart/lastDateEnd. */
  private readDate(cell: string): void {
    if (cell === this.lastDateRaw) return;
    this.lastDateRaw = cell;
    const { dateOrder, dateSpan } = this.layout;
    const day = parseDay(cell, dateOrder);
    let range = day === null ? parseDayRange(cell, dateOrder) : { start: day, end: day };
    if (range && day !== null && dateSpan !== "day") {
      range = { start: day, end: dateSpan === "week" ? addDays(day, 6) : endOfMonth(day) };
    }
    this.lastStart = range?.start ?? null;
    this.lastDateEnd = range?.end ?? null;
  }

  /** The period of a row into lastStart/lastEnd; the reason when the row has none that can be read. */
  private period(f: string[]): Rejection | null {
    if (this.dateCol < 0) {
      this.noDate();
      return null;
    }
    const cell = f[this.dateCol] ?? "";
    this.readDate(cell);
    this.lastEnd = this.lastDateEnd;
    if (this.lastStart === null) {
      const header = this.header(this.dateCol);
      const text = cell.trim();
      return text === "" ? { code: "no_date", header } : { code: "not_a_date", header, cell: text };
    }
    return this.dateEndCol >= 0 ? this.readEnd(f[this.dateEndCol] ?? "") : null;
  }

  /** A file without a date column: every row covers the period of the date-range line above the header, if any. */
  private noDate(): void {
    this.lastStart = this.layout.preambleRange?.start ?? null;
    this.lastEnd = this.layout.preambleRange?.end ?? null;
  }

  /**
   * Reads a row's end-date cell (cached) after its start (`readDate`): a readable end replaces lastEnd, an empty
   * cell keeps the end the date cell gives. Returns the reason when the cell is not a date or the period ends before it starts.
   */
  private readEnd(endCell: string): Rejection | null {
    if (endCell !== this.lastEndRaw) {
      this.lastEndRaw = endCell;
      this.lastEndParsed = endCell.trim() === "" ? null : parseDay(endCell, this.layout.dateOrder);
    }
    const end = this.lastEndParsed;
    if (end === null) {
      const text = endCell.trim();
      return text === "" ? null : { code: "not_a_date", header: this.header(this.dateEndCol), cell: text };
    }
    if (this.lastStart !== null && end < this.lastStart) return { code: "period_reversed", start: this.lastStart, end };
    this.lastEnd = end;
    return null;
  }

  /**
   * One number cell: the value (>= 0), EMPTY for an empty cell or a column not in the file, or NaN with the reason
   * in `failure` (not a number, negative, or a fractional count where whole numbers are required).
   */
  private num(f: string[], col: number, whole: boolean): number {
    if (col < 0) return EMPTY;
    const cell = f[col];
    const v = parseNumberCell(cell, this.layout.decimalMark);
    if (v === null) return EMPTY;
    if (v >= 0 && (!whole || Number.isInteger(v))) return v;
    const header = this.header(col);
    const text = (cell ?? "").trim();
    if (Number.isNaN(v)) this.failure = { code: "not_a_number", header, problem: numberProblem(text, this.layout.decimalMark) };
    else if (v < 0) this.failure = { code: "negative", header, cell: text };
    else this.failure = { code: "not_whole", header, cell: text };
    return NaN;
  }

  /**
   * A required figure (clicks, conversions, spend) read by `num`: passes a value (or NaN) through; an empty cell or
   * a missing-value marker ("n/a", " --", "null"...) in a column of the file gives NaN with the reason in `failure`
   * (the row is rejected, never imported as 0), except an empty clicks or conversions cell where the format writes
   * blanks for zero (`blankIsZero`). A column not in the file stays EMPTY.
   */
  private required(f: string[], col: number, v: number, field: "clicks" | "conversions" | "spend"): number {
    if (col < 0 || v !== EMPTY) return v;
    const text = (f[col] ?? "").trim();
    if (text === "" && this.layout.blankIsZero && field !== "spend") return 0;
    this.failure = { code: "missing_figure", field, header: this.header(col), marker: text === "" ? null : text };
    return NaN;
  }
}

/** A campaign cell without the spaces and controls around the name (the common cell is returned as it is). */
function trimName(raw: string): string {
  const n = raw.length;
  return n > 0 && (raw.charCodeAt(0) <= SPACE || raw.charCodeAt(n - 1) <= SPACE) ? raw.trim() : raw;
}
