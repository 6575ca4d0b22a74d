import "server-only";
import type Database from "better-sqlite3";
import type { TargetTable } from "@/db/bulk-writer";
import { formatNumber } from "@/lib/format";
import { COMMA, LOWER_T, PERIOD, SPACE, UPPER_T } from "./chars";
import { addDays, endOfMonth, parseDay, parseDayRange } from "./dates";
import type { FileLayout } from "./detect";
import { publicMapping } from "./headers";
import { numberProblem, parseNumberCell, parsePlainNumber, type DecimalMark } from "./numbers";
import { isBlankRecord, joinRecord } from "./records";
import { reconcile, type TotalsRow } from "./reconcile";
import { isFooter, isTotalsCell, totalsLabel } from "./rows";
import { lineBreaksIn } from "./streams";
import type { ImportSummary, Totals } from "@/lib/types/ingest";

/** Rows per multi-row INSERT statement (11 columns at most: well under SQLite's 32,766 bound parameters). */
const BATCH_ROWS = 256;
/** Rejected rows keep at most this much raw text. */
const MAX_RAW_CHARS = 100_000;
/** Lines listed in an aggregated warning. */
const WARNING_LINES = 10;
/** Distinct campaigns counted in memory; past this the count comes from the database. */
const MAX_CAMPAIGN_SET = 100_000;

/** Neumaier's compensated sum: the rounding error of each addition is carried, so 1M cent amounts add up exactly. */
class CompensatedSum {
  private s = 0;
  private c = 0;
  /** Adds x (finite). Reference: Neumaier (1974), ZAMM 54(1):39-51, the improved Kahan-Babuska algorithm. */
  add(x: number): void {
    const t = this.s + x;
    if (Math.abs(this.s) >= Math.abs(x)) this.c += this.s - t + x;
    else this.c += x - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}

/** Counts rows that trip a check and keeps the first few line numbers, for one aggregated warning. */
class LineCounter {
  count = 0;
  lines: number[] = [];
  add(line: number): void {
    this.count++;
    if (this.lines.length < WARNING_LINES) this.lines.push(line);
  }
  describe(one: string, many: string): string {
    const lines = this.lines.join(", ") + (this.count > this.lines.length ? ", …" : "");
    return `${formatNumber(this.count, 0)} ${this.count === 1 ? one : many} (line${this.count === 1 ? "" : "s"} ${lines})`;
  }
}

// Called once per number cell on the plain path. A module-level reference: under the CommonJS transform (tsx: the
// CLI, the benchmark) every use of an imported name goes through a getter on the module's exports, which here cost
// about 70 ms per million rows.
const plainNumber = parsePlainNumber;
const EMPTY = -1;
/** Bound in place of period_end when it equals period_start (see the INSERT in RowSink's constructor). */
const SAME_AS_START = 0;
const MULTI_CURRENCY = "The rows are in more than one currency";

/**
 * Validates and writes rows as they stream in. One instance per import; rows arrive in order with no line numbers,
 * so the sink counts lines itself (a row spans 1 + the line breaks inside its quoted values).
 */
export class RowSink {
  imported = 0;
  rejected = 0;
  firstReasons: string[] = [];
  private line: number;
  private readonly headerCount: number;
  private readonly mark: DecimalMark;
  private readonly delimiter: string;
  private readonly markCode: number;
  /** Field start offsets of the line on the plain path (headerCount + 1 entries). */
  private readonly cuts: Int32Array;
  // column indexes of the mapped fields in each record (-1 when not mapped)
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
  // prepared statements and the batch being filled
  private readonly batchStmt: Database.Statement;
  private readonly oneStmt: Database.Statement;
  private readonly rejectStmt: Database.Statement;
  private readonly params: unknown[];
  private k = 0;
  private readonly width: number;
  // date caches (files repeat the same day on many consecutive rows)
  private lastDateRaw: string | null = null;
  private lastStart: string | null = null;
  private lastEnd: string | null = null;
  private lastEndRaw: string | null = null;
  private lastEndParsed: string | null = null;
  // sums and checks
  private readonly sumImpressions = new CompensatedSum();
  private readonly sumClicks = new CompensatedSum();
  private readonly sumConversions = new CompensatedSum();
  private readonly sumSpend = new CompensatedSum();
  private readonly sumRevenue = new CompensatedSum();
  private readonly clicksOverImpressions = new LineCounter();
  /** Rows whose impressions cell is empty or a missing-value marker: stored as unknown (null). */
  private readonly unknownImpressions = new LineCounter();
  /** Rows whose campaign cell had spaces or tabs around the name (removed), and the spellings seen per name. */
  private readonly paddedNames = new LineCounter();
  private readonly nameSpellings = new Map<string, Set<string>>();
  /** Meta Ads Manager leaves "Link clicks" and "Purchases" empty when there were none: there an empty cell is 0. */
  private readonly blankIsZero: boolean;
  private readonly conversionsOverClicks = new LineCounter();
  private periodMin: string | null = null;
  private periodMax: string | null = null;
  private lastAcceptedStart: string | null = null;
  private readonly campaigns = new Set<string>();
  private campaignsOverflow = false;
  private lastCampaign: string | null = null;
  /** The last campaign name would make its row a totals row (the plain path then leaves the row to pushRow). */
  private lastCampaignIsTotals = false;
  private readonly currencies = new Map<string, number>();
  private lastCurrencyRaw: string | null = null;
  private currencyRun = 0;
  private readonly totalsRows: TotalsRow[] = [];
  private readonly footerLines: number[] = [];
  private failReason = "";

  constructor(
    private readonly conn: Database.Database,
    private readonly layout: FileLayout,
    private readonly datasetId: number,
  ) {
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
    this.line = layout.firstDataLine;
    this.headerCount = layout.headers.length;
    this.mark = layout.decimalMark;
    this.delimiter = layout.delimiter;
    this.markCode = layout.decimalMark === "." ? PERIOD : COMMA;
    this.cuts = new Int32Array(this.headerCount + 1);
    this.blankIsZero = layout.detection.format === "meta_ads";

    const id = Math.trunc(datasetId);
    const table = layout.kind === "orders" ? "orders" : "observations";
    let cols: string[];
    let exprs: string[];
    let bound = 0;
    const next = () => `column${++bound}`;
    if (layout.kind === "orders") {
      cols = ["dataset_id", "campaign", "date", "order_id", "value", "line"];
      exprs = [String(id), next(), next(), next(), next(), next()];
    } else {
      cols = ["dataset_id", "campaign", "segment", "period_start", "period_end", "impressions", "clicks", "conversions", "conversions_alt", "spend", "revenue", "line"];
      const campaign = next();
      const segment = this.segmentCol >= 0 ? next() : "''";
      const start = next();
      // SAME_AS_START (a number, never a date string) stands for "period_end = period_start": one string less to bind
      const end = `CASE ${next()} WHEN ${SAME_AS_START} THEN ${start} ELSE column${bound} END`;
      exprs = [String(id), campaign, segment, start, end, next(), next(), next(), this.conversionsAltCol >= 0 ? next() : "NULL", next(), this.revenueCol >= 0 ? next() : "NULL", next()];
    }
    this.width = bound;
    const tuple = `(${Array(bound).fill("?").join(",")})`;
    const head = `INSERT INTO ${table} (${cols.join(",")}) SELECT ${exprs.join(",")} FROM (VALUES `;
    this.batchStmt = conn.prepare(`${head}${Array(BATCH_ROWS).fill(tuple).join(",")})`);
    this.oneStmt = conn.prepare(`${head}${tuple})`);
    this.rejectStmt = conn.prepare("INSERT INTO rejected_rows (dataset_id, line, raw, reason) VALUES (?, ?, ?, ?)");
    this.params = new Array<unknown>(BATCH_ROWS * this.width);
  }

  /** Takes one parsed chunk of rows. */
  push(rows: string[][], badRows: Set<number> | null, sawQuote: boolean): void {
    for (let r = 0; r < rows.length; r++) {
      const f = rows[r] as string[];
      const line = this.line;
      this.line += sawQuote ? 1 + lineBreaksIn(f) : 1;
      this.pushRow(f, line, badRows !== null && badRows.has(r));
    }
  }

  /**
   * Takes the text of a quote-free file: every line from `from` up to the last line break of `text` (to the end
   * when `final`), read exactly as papaparse reads a chunk without quotes (split on the newline, then on the
   * delimiter). Returns the offset after the last line read. Lines the plain path cannot settle by itself
   * (anything but a well-formed observation row: short or long rows, totals, empty or non-plain cells, rejections,
   * and every orders row) are split and go through `pushRow`, as papaparse's rows do.
   */
  pushPlain(text: string, from: number, final: boolean): number {
    const nl = this.layout.newline;
    const nlLen = nl.length;
    const plain = this.layout.kind === "observations" && this.headerCount > 1;
    let pos = from;
    for (;;) {
      let end = text.indexOf(nl, pos);
      if (end < 0) {
        if (!final || pos === text.length) return pos;
        end = text.length;
      }
      const line = this.line++;
      // an empty line is papaparse's [""]: a blank line, skipped
      if (end > pos && !(plain && this.plainObservation(text, pos, end, line))) {
        this.pushRow(text.slice(pos, end).split(this.delimiter), line, false);
      }
      pos = end + nlLen;
      if (pos >= text.length) return text.length;
    }
  }

  /** One record: skips blank lines, footers and totals rows (kept to reconcile), checks the width, then reads it. */
  private pushRow(f: string[], line: number, badQuotes: boolean): void {
    if (f.length === 1 && f[0] === "") return; // blank line
    if (badQuotes) {
      this.reject(line, f, 'malformed quotes (a " inside a quoted value must be doubled, and the value must end with ")');
      return;
    }
    if (f.length !== this.headerCount && !this.checkWidth(f, line)) return;
    const first = f[0] as string;
    const c0 = first.charCodeAt(0);
    const campaignCell = f[this.campaignCol];
    const cc0 = campaignCell === undefined ? 0 : campaignCell.charCodeAt(0);
    if (c0 === UPPER_T || c0 === LOWER_T || c0 === SPACE || cc0 === UPPER_T || cc0 === LOWER_T || cc0 === SPACE) {
      const label = totalsLabel(f, this.campaignCol);
      if (label !== null) {
        if (this.totalsRows.length < 50) this.totalsRows.push({ label, line, fields: f });
        return;
      }
    }
    if (this.layout.kind === "orders") this.order(f, line);
    else this.observation(f, line);
  }

  /**
   * The plain path for one line `text[from, to)` of an observations file: a row with exactly the header's width
   * whose campaign, date and number cells are all in their common form is checked and queued here without
   * splitting the line into strings. Returns false, having changed nothing but the campaign and date caches, when
   * the row needs `pushRow` (which then gives exactly what the general path gives).
   */
  private plainObservation(text: string, from: number, to: number, line: number): boolean {
    const cuts = this.cuts;
    const n = this.headerCount;
    const d = this.delimiter;
    // cuts[i] = start of field i; field i ends at cuts[i + 1] - 1
    cuts[0] = from;
    let at = from;
    for (let k = 1; k < n; k++) {
      const cut = text.indexOf(d, at);
      if (cut < 0 || cut >= to) return false; // fewer values than the header
      at = cut + 1;
      cuts[k] = at;
    }
    const extra = text.indexOf(d, at);
    if (extra >= 0 && extra < to) return false; // more values than the header
    cuts[n] = to + 1;
    // a totals row has its label in the first or the campaign cell (see pushRow and totalsLabel)
    const c0 = text.charCodeAt(from);
    if ((c0 === UPPER_T || c0 === LOWER_T || c0 === SPACE) && isTotalsCell(text.slice(from, (cuts[1] as number) - 1))) return false;

    const ca = cuts[this.campaignCol] as number;
    const ce = (cuts[this.campaignCol + 1] as number) - 1;
    const len = ce - ca;
    if (len === 0) return false;
    let campaign = this.lastCampaign;
    if (campaign === null || len !== campaign.length || !text.startsWith(campaign, ca)) {
      // cells with spaces or controls at either end take the general path (it trims them)
      if (text.charCodeAt(ca) <= SPACE || text.charCodeAt(ce - 1) <= SPACE) return false;
      campaign = text.slice(ca, ce);
      const cc = campaign.charCodeAt(0);
      if (campaign === "--" || ((cc === UPPER_T || cc === LOWER_T) && isTotalsCell(campaign))) return false;
      this.noteCampaign(campaign);
    } else if (this.lastCampaignIsTotals) {
      return false; // the last name came trimmed from a cell such as "\tTotal": this cell is the totals label itself
    }

    if (this.dateCol >= 0) {
      const a = cuts[this.dateCol] as number;
      const e = (cuts[this.dateCol + 1] as number) - 1;
      const raw = this.lastDateRaw;
      if (raw === null || e - a !== raw.length || !text.startsWith(raw, a)) this.readDate(text.slice(a, e));
      if (this.lastStart === null) return false;
      if (this.dateEndCol >= 0) {
        const a2 = cuts[this.dateEndCol] as number;
        const e2 = (cuts[this.dateEndCol + 1] as number) - 1;
        const endRaw = this.lastEndRaw;
        const endCell = endRaw !== null && e2 - a2 === endRaw.length && text.startsWith(endRaw, a2) ? endRaw : text.slice(a2, e2);
        if (this.readEnd(endCell) !== null) return false;
      }
    } else {
      this.noDate();
    }

    const imp = this.plainNum(text, this.impressionsCol, true);
    const clk = this.plainNum(text, this.clicksCol, true);
    const conv = this.plainNum(text, this.conversionsCol, false);
    const alt = this.plainNum(text, this.conversionsAltCol, false);
    const spend = this.plainNum(text, this.spendCol, false);
    const rev = this.plainNum(text, this.revenueCol, false);
    if (imp !== imp || clk !== clk || conv !== conv || alt !== alt || spend !== spend || rev !== rev) return false;
    if (imp === EMPTY && clk === EMPTY && conv === EMPTY && spend === EMPTY) return false;
    // a required figure missing: `pushRow` decides (a rejection, or 0 where the format writes blanks for zero)
    if ((clk === EMPTY && this.clicksCol >= 0) || (conv === EMPTY && this.conversionsCol >= 0) || (spend === EMPTY && this.spendCol >= 0)) return false;

    let segment = "";
    if (this.segmentCol >= 0) segment = text.slice(cuts[this.segmentCol] as number, (cuts[this.segmentCol + 1] as number) - 1).trim();
    let currency: string | null = null;
    if (this.currencyCol >= 0) {
      const a = cuts[this.currencyCol] as number;
      const e = (cuts[this.currencyCol + 1] as number) - 1;
      const last = this.lastCurrencyRaw;
      currency = last !== null && e - a === last.length && text.startsWith(last, a) ? last : text.slice(a, e);
    }
    this.keepObservation(campaign, segment, imp, clk, conv, alt, spend, rev, currency, line);
    return true;
  }

  /**
   * A number cell on the plain path: the value, EMPTY for an empty cell or an unmapped column, or NaN when the
   * cell is not a plain non-negative number (or not whole where `whole`): `pushRow` then reads or rejects it.
   */
  private plainNum(text: string, idx: number, whole: boolean): number {
    if (idx < 0) return EMPTY;
    const a = this.cuts[idx] as number;
    const e = (this.cuts[idx + 1] as number) - 1;
    if (a === e) return EMPTY;
    const v = plainNumber(text, a, e, this.markCode);
    return whole && !Number.isInteger(v) ? NaN : v;
  }

  /** Rows narrower or wider than the header: short rows read missing cells as empty; extra values are refused. */
  private checkWidth(f: string[], line: number): boolean {
    if (isBlankRecord(f)) return false;
    if (isFooter(f)) {
      this.footerLines.push(line);
      return false;
    }
    if (f.length > this.headerCount) {
      for (let i = this.headerCount; i < f.length; i++) {
        if ((f[i] as string).trim() !== "") {
          this.reject(line, f, `${f.length} values, but the header has ${this.headerCount} columns`);
          return false;
        }
      }
    }
    if (f.length === 1 && this.headerCount > 1) {
      this.reject(line, f, "a line with a single value, not a data row");
      return false;
    }
    return true;
  }

  private campaignOf(f: string[], line: number): string | null {
    const raw = f[this.campaignCol] ?? "";
    let campaign = raw;
    const n = campaign.length;
    if (n > 0 && (campaign.charCodeAt(0) <= SPACE || campaign.charCodeAt(n - 1) <= SPACE)) campaign = campaign.trim();
    if (campaign !== raw && campaign !== "") this.notePadded(campaign, raw, line);
    if (campaign === "" || campaign === "--") {
      if (isBlankRecord(f)) return null;
      if (isFooter(f)) {
        this.footerLines.push(line);
        return null;
      }
      this.reject(line, f, `no campaign (the "${this.layout.headers[this.campaignCol]}" column is empty)`);
      return null;
    }
    if (campaign !== this.lastCampaign) this.noteCampaign(campaign);
    return campaign;
  }

  /**
   * A campaign cell with spaces or tabs around the name: the name is stored trimmed (so " Alpha" and "Alpha" are one
   * campaign, as the ad platforms treat them), and the summary warns, naming the spellings merged.
   */
  private notePadded(campaign: string, raw: string, line: number): void {
    this.paddedNames.add(line);
    let spellings = this.nameSpellings.get(campaign);
    if (!spellings) {
      if (this.nameSpellings.size >= 1000) return;
      this.nameSpellings.set(campaign, (spellings = new Set()));
    }
    if (spellings.size < 20) spellings.add(raw);
  }

  /** Counts a campaign name (rows usually come grouped, so only a change of name is looked up). */
  private noteCampaign(campaign: string): void {
    this.lastCampaign = campaign;
    const c = campaign.charCodeAt(0);
    this.lastCampaignIsTotals = (c === UPPER_T || c === LOWER_T) && isTotalsCell(campaign);
    if (!this.campaignsOverflow) {
      this.campaigns.add(campaign);
      if (this.campaigns.size > MAX_CAMPAIGN_SET) this.campaignsOverflow = true;
    }
  }

  /** Reads a row's date cell (cached: consecutive rows usually share the day). Sets lastStart/lastEnd. */
  private readDate(cell: string): void {
    if (cell === this.lastDateRaw) return;
    this.lastDateRaw = cell;
    const order = this.layout.dateVote.order;
    const day = parseDay(cell, order);
    let range = day === null ? parseDayRange(cell, order) : { start: day, end: day };
    if (range && day !== null && this.layout.dateSpan !== "day") {
      range = { start: day, end: this.layout.dateSpan === "week" ? addDays(day, 6) : endOfMonth(day) };
    }
    this.lastStart = range?.start ?? null;
    this.lastEnd = range?.end ?? null;
  }

  /** The period of a row, or a rejection reason. */
  private period(f: string[], line: number): boolean {
    if (this.dateCol < 0) {
      this.noDate();
      return true;
    }
    const cell = f[this.dateCol] ?? "";
    this.readDate(cell);
    if (this.lastStart === null) {
      const h = this.layout.headers[this.dateCol];
      this.reject(line, f, cell.trim() === "" ? `no date (the "${h}" column is empty)` : `"${cell.trim()}" in "${h}" is not a date we can read`);
      return false;
    }
    if (this.dateEndCol >= 0) {
      const reason = this.readEnd(f[this.dateEndCol] ?? "");
      if (reason !== null) {
        this.reject(line, f, reason);
        return false;
      }
    }
    return true;
  }

  /** A file without a date column: every row covers the period of the date-range line above the header, if any. */
  private noDate(): void {
    this.lastStart = this.layout.preambleRange?.start ?? null;
    this.lastEnd = this.layout.preambleRange?.end ?? null;
  }

  /**
   * Reads a row's end-date cell (cached) after its start (`readDate`): a readable end replaces lastEnd, an empty
   * cell keeps it. Returns the rejection reason when the cell is not a date or the period ends before it starts.
   */
  private readEnd(endCell: string): string | null {
    if (endCell !== this.lastEndRaw) {
      this.lastEndRaw = endCell;
      this.lastEndParsed = endCell.trim() === "" ? null : parseDay(endCell, this.layout.dateVote.order);
    }
    if (this.lastEndParsed === null && endCell.trim() !== "") {
      return `"${endCell.trim()}" in "${this.layout.headers[this.dateEndCol]}" is not a date we can read`;
    }
    if (this.lastEndParsed !== null) {
      if (this.lastStart !== null && this.lastEndParsed < this.lastStart) {
        return `the period ends (${this.lastEndParsed}) before it starts (${this.lastStart})`;
      }
      this.lastEnd = this.lastEndParsed;
    }
    return null;
  }

  /**
   * One number cell: the value (>= 0), EMPTY for an empty cell, or NaN with `failReason` set (not a number,
   * negative, or a fractional count where whole numbers are required).
   */
  private num(f: string[], idx: number, whole: boolean): number {
    if (idx < 0) return EMPTY;
    const cell = f[idx];
    const v = parseNumberCell(cell, this.mark);
    if (v === null) return EMPTY;
    if (v >= 0 && (!whole || Number.isInteger(v))) return v;
    const h = `"${this.layout.headers[idx]}"`;
    const text = (cell ?? "").trim();
    if (Number.isNaN(v)) this.failReason = `${h}: ${numberProblem(text, this.mark)}`;
    else if (v < 0) this.failReason = `${h} is negative (${text})`;
    else this.failReason = `${h} must be a whole number (${text})`;
    return NaN;
  }

  private observation(f: string[], line: number): void {
    const campaign = this.campaignOf(f, line);
    if (campaign === null) return;
    if (!this.period(f, line)) return;
    const imp = this.num(f, this.impressionsCol, true);
    const clk = this.required(f, this.clicksCol, this.num(f, this.clicksCol, true), "clicks");
    const conv = this.required(f, this.conversionsCol, this.num(f, this.conversionsCol, false), "conversions");
    const alt = this.num(f, this.conversionsAltCol, false);
    const spend = this.required(f, this.spendCol, this.num(f, this.spendCol, false), "spend");
    const rev = this.num(f, this.revenueCol, false);
    if (imp !== imp || clk !== clk || conv !== conv || alt !== alt || spend !== spend || rev !== rev) {
      this.reject(line, f, this.failReason);
      return;
    }
    if (imp === EMPTY && clk === EMPTY && conv === EMPTY && spend === EMPTY) {
      this.reject(line, f, "no figures in this row (impressions, clicks, conversions and spend are all empty)");
      return;
    }
    const segment = this.segmentCol >= 0 ? (f[this.segmentCol] ?? "").trim() : "";
    this.keepObservation(campaign, segment, imp, clk, conv, alt, spend, rev, this.currencyCol >= 0 ? (f[this.currencyCol] ?? "") : null, line);
  }

  /**
   * A required figure (clicks, conversions, spend) read by `num`: passes a value (or NaN) through; an empty cell or
   * a missing-value marker ("n/a", " --", "null"...) in a mapped column gives NaN with the reason in `failReason`
   * (the row is rejected, never imported as 0), except an empty clicks or conversions cell where the format writes
   * blanks for zero (`blankIsZero`). An unmapped column (idx < 0) stays EMPTY.
   */
  private required(f: string[], idx: number, v: number, field: string): number {
    if (idx < 0 || v !== EMPTY) return v;
    const text = (f[idx] ?? "").trim();
    if (text === "" && this.blankIsZero && field !== "spend") return 0;
    const h = `"${this.layout.headers[idx]}"`;
    this.failReason =
      text === ""
        ? `no ${field}: ${h} is empty (a required figure)`
        : `no ${field}: ${h} is "${text}", a missing-value marker (a required figure)`;
    return NaN;
  }

  /** Counts and queues a valid observation row (numbers: value or EMPTY; `currencyCell` null when not mapped). */
  private keepObservation(
    campaign: string,
    segment: string,
    imp: number,
    clk: number,
    conv: number,
    alt: number,
    spend: number,
    rev: number,
    currencyCell: string | null,
    line: number,
  ): void {
    // unknown impressions are never compared with clicks
    if (this.impressionsCol >= 0 && imp === EMPTY) this.unknownImpressions.add(line);
    else if (this.impressionsCol >= 0 && this.clicksCol >= 0 && clk > imp) this.clicksOverImpressions.add(line);
    if (this.clicksCol >= 0 && this.conversionsCol >= 0 && conv > clk) this.conversionsOverClicks.add(line);
    if (currencyCell !== null) this.noteCurrency(currencyCell);
    this.notePeriod();

    const clkV = clk === EMPTY ? 0 : clk;
    const convV = conv === EMPTY ? 0 : conv;
    const spendV = spend === EMPTY ? 0 : spend;
    if (imp !== EMPTY) this.sumImpressions.add(imp);
    this.sumClicks.add(clkV);
    this.sumConversions.add(convV);
    this.sumSpend.add(spendV);
    if (rev !== EMPTY) this.sumRevenue.add(rev);

    const p = this.params;
    let k = this.k;
    p[k++] = campaign;
    if (this.segmentCol >= 0) p[k++] = segment;
    p[k++] = this.lastStart;
    p[k++] = this.lastEnd === this.lastStart && this.lastEnd !== null ? SAME_AS_START : this.lastEnd;
    p[k++] = imp === EMPTY ? null : imp;
    p[k++] = clkV;
    p[k++] = convV;
    if (this.conversionsAltCol >= 0) p[k++] = alt === EMPTY ? null : alt;
    p[k++] = spendV;
    if (this.revenueCol >= 0) p[k++] = rev === EMPTY ? null : rev;
    p[k++] = line;
    this.k = k;
    this.imported++;
    if (k === p.length) this.flush();
  }

  private order(f: string[], line: number): void {
    const campaign = this.campaignOf(f, line);
    if (campaign === null) return;
    let date: string | null = null;
    if (this.dateCol >= 0) {
      if (!this.period(f, line)) return;
      date = this.lastStart;
    }
    const value = this.num(f, this.valueCol, false);
    if (value !== value) {
      this.reject(line, f, this.failReason);
      return;
    }
    if (value === EMPTY) {
      this.reject(line, f, `no order value (the "${this.layout.headers[this.valueCol]}" column is empty)`);
      return;
    }
    if (this.currencyCol >= 0) this.noteCurrency(f[this.currencyCol] ?? "");
    if (date !== null) this.notePeriod();
    this.sumConversions.add(1);
    this.sumRevenue.add(value);
    const p = this.params;
    let k = this.k;
    p[k++] = campaign;
    p[k++] = date;
    const orderId = this.orderIdCol >= 0 ? (f[this.orderIdCol] ?? "").trim() : "";
    p[k++] = orderId === "" ? null : orderId;
    p[k++] = value;
    p[k++] = line;
    this.k = k;
    this.imported++;
    if (k === p.length) this.flush();
  }

  private notePeriod(): void {
    const start = this.lastStart;
    if (start === null || start === this.lastAcceptedStart) return;
    this.lastAcceptedStart = start;
    const end = this.lastEnd ?? start;
    if (this.periodMin === null || start < this.periodMin) this.periodMin = start;
    if (this.periodMax === null || end > this.periodMax) this.periodMax = end;
  }

  /** Counts a row's currency cell (runs of the same text are counted once the run ends). */
  private noteCurrency(raw: string): void {
    if (raw === this.lastCurrencyRaw) {
      this.currencyRun++;
      return;
    }
    this.flushCurrencyRun();
    this.lastCurrencyRaw = raw;
    this.currencyRun = 1;
  }

  private flushCurrencyRun(): void {
    if (this.lastCurrencyRaw === null || this.currencyRun === 0) return;
    const code = this.lastCurrencyRaw.trim().toUpperCase();
    if (/^[A-Z]{3}$/.test(code)) this.currencies.set(code, (this.currencies.get(code) ?? 0) + this.currencyRun);
    this.currencyRun = 0;
  }

  private flush(): void {
    // spread, not an array: better-sqlite3 reads call arguments directly but an array element by element through
    // V8's generic property access (measured: ~800 ms of inserts per million rows with an array, ~570 ms spread)
    this.batchStmt.run(...this.params);
    this.k = 0;
  }

  private reject(line: number, f: string[], reason: string): void {
    let raw = joinRecord(f, this.delimiter);
    if (raw.length > MAX_RAW_CHARS) raw = `${raw.slice(0, MAX_RAW_CHARS)}… (cut at ${MAX_RAW_CHARS} characters)`;
    this.rejectStmt.run(this.datasetId, line, raw, reason);
    this.rejected++;
    if (this.firstReasons.length < 5) this.firstReasons.push(`line ${line}: ${reason}`);
  }

  /** Writes the last, partial batch. */
  finish(): void {
    const w = this.width;
    for (let i = 0; i < this.k; i += w) this.oneStmt.run(this.params.slice(i, i + w));
    this.k = 0;
    this.flushCurrencyRun();
  }

  campaignCount(table: TargetTable): number {
    if (!this.campaignsOverflow) return this.campaigns.size;
    const r = this.conn.prepare(`SELECT COUNT(DISTINCT campaign) AS n FROM ${table} WHERE dataset_id = ?`).get(this.datasetId) as { n: number };
    return r.n;
  }

  totals(): Totals {
    return {
      impressions: this.sumImpressions.value,
      clicks: this.sumClicks.value,
      conversions: this.sumConversions.value,
      spend: this.sumSpend.value,
      revenue: this.sumRevenue.value,
    };
  }

  summary(extra: { datasetId: number; name: string; sha256: string; campaigns: number; sawReplacement: boolean }): ImportSummary {
    const L = this.layout;
    const d = L.detection;
    const totals = this.totals();
    // the import counts currencies over every row; detection's count (first rows only) gives way to it
    const warnings = d.warnings.filter((w) => !w.startsWith(MULTI_CURRENCY));
    const notes: string[] = [];
    if (extra.sawReplacement) {
      warnings.push("Some bytes further into the file are not valid UTF-8 and were replaced by �; check names with accents.");
    }
    const explained = L.dateVote.explain();
    if (explained && !explained.ambiguous) notes.push(explained.text);
    if (this.rejected > 0) {
      warnings.push(
        `${formatNumber(this.rejected, 0)} row${this.rejected === 1 ? "" : "s"} could not be imported; ` +
          "the rejected rows, with their line numbers and reasons, can be downloaded.",
      );
    }
    if (this.clicksOverImpressions.count > 0) {
      warnings.push(this.clicksOverImpressions.describe("row has more clicks than impressions", "rows have more clicks than impressions"));
    }
    if (this.unknownImpressions.count > 0) {
      warnings.push(
        this.unknownImpressions.describe(
          "row does not state its impressions: stored as unknown (not 0) and left out of click-through rates",
          "rows do not state their impressions: stored as unknown (not 0) and left out of click-through rates",
        ),
      );
    }
    if (this.paddedNames.count > 0) {
      const names = [...this.nameSpellings.entries()]
        .slice(0, 5)
        .map(([name, raws]) => `"${name}" (also written ${[...raws].map((r) => JSON.stringify(r)).join(", ")})`);
      warnings.push(
        this.paddedNames.describe(
          "row has spaces or tabs around its campaign name",
          "rows have spaces or tabs around their campaign names",
        ) +
          `: they were removed, so names that differ only by them are one campaign: ${names.join("; ")}` +
          (this.nameSpellings.size > 5 ? "; …" : "") +
          ".",
      );
    }
    if (this.conversionsOverClicks.count > 0) {
      warnings.push(this.conversionsOverClicks.describe("row has more conversions than clicks", "rows have more conversions than clicks"));
    }
    if (this.currencies.size > 1) {
      const list = [...this.currencies.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${c} (${formatNumber(n, 0)} row${n === 1 ? "" : "s"})`);
      warnings.push(`${MULTI_CURRENCY}: ${list.join(", ")}. Sums mix them.`);
    }
    if (this.footerLines.length > 0) notes.push(`Skipped the footer on line ${this.footerLines.join(", ")}.`);
    const reconciliation = reconcile(
      this.totalsRows,
      totals,
      {
        impressions: this.impressionsCol,
        clicks: this.clicksCol,
        conversions: this.layout.kind === "orders" ? -1 : this.conversionsCol,
        spend: this.spendCol,
        revenue: this.layout.kind === "orders" ? this.valueCol : this.revenueCol,
      },
      this.mark,
      this.imported,
    );
    if (reconciliation) {
      if (reconciliation.matches) {
        notes.push(`The imported sums match the file's "${reconciliation.source}" row (line ${reconciliation.line}).`);
      } else {
        const diffs = reconciliation.lines
          .filter((l) => !l.matches)
          .map((l) => `${l.field} ${formatNumber(l.imported)} imported vs ${formatNumber(l.reported)} reported`);
        warnings.push(
          `The imported sums do not match the file's "${reconciliation.source}" row (line ${reconciliation.line}): ${diffs.join("; ")}.`,
        );
      }
      for (const ig of reconciliation.ignored) notes.push(`Not reconciled against "${ig.source}" (line ${ig.line}): ${ig.reason}.`);
    }
    let currency: string | null = null;
    if (this.currencies.size > 0) currency = [...this.currencies.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
    currency ??= L.headerCurrency ?? L.cellCurrency;
    const period =
      this.periodMin !== null && this.periodMax !== null
        ? { start: this.periodMin, end: this.periodMax }
        : L.columns.date < 0 && L.preambleRange
          ? { ...L.preambleRange }
          : null;
    return {
      datasetId: extra.datasetId,
      name: extra.name,
      existing: false,
      sha256: extra.sha256,
      format: d.format,
      formatLabel: d.formatLabel,
      encoding: d.encoding,
      delimiter: d.delimiter,
      mapping: publicMapping(L.mapping),
      dateOrder: L.dateVote.seen ? L.dateVote.order : null,
      kind: L.kind,
      rowsImported: this.imported,
      rowsRejected: this.rejected,
      warnings,
      notes,
      reconciliation,
      currency,
      period,
      totals,
      campaigns: extra.campaigns,
    };
  }
}
