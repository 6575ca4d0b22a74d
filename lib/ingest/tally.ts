/**
 * The running account of an import, kept as the rows are read: counts, compensated sums, the checks that become
 * warnings (with their first line numbers), campaigns, currencies, the period, and the totals and footer rows set
 * aside. No I/O; the summary (./summary) is written from it.
 */
import type { ObservationRead, OrderRead, RejectedRead } from "./row-reader";
import type { TotalsRow } from "./reconcile";
import type { Totals } from "@/lib/types/ingest";
import { NeumaierAccumulator } from "@/lib/engine/numeric";

/** Lines listed in an aggregated warning. */
const WARNING_LINES = 10;
/** Distinct campaigns counted in memory; past this the count comes from the sink. */
const MAX_CAMPAIGN_SET = 100_000;
/** Totals rows kept to reconcile against. */
const MAX_TOTALS_ROWS = 50;
/** Rejection reasons kept for a refusal's message. */
const FIRST_REASONS = 5;
/** Distinct padded campaign names, and spellings of each, kept for the warning. */
const MAX_PADDED_NAMES = 1000;
const MAX_SPELLINGS = 20;
const CURRENCY_CODE = /^[A-Z]{3}$/;

/** Counts rows that trip a check and keeps the first few line numbers, for one aggregated warning. */
class LineCounter {
  count = 0;
  readonly lines: number[] = [];
  add(line: number): void {
    this.count++;
    if (this.lines.length < WARNING_LINES) this.lines.push(line);
  }
}

/** Which fields the file has (a check between two figures only runs when both are in the file). */
export interface TallyColumns {
  impressions: boolean;
  clicks: boolean;
  conversions: boolean;
}

export class ImportTally {
  imported = 0;
  rejected = 0;
  /** "line N: reason" for the first few rejected rows. */
  readonly firstReasons: string[] = [];
  readonly clicksOverImpressions = new LineCounter();
  /** Rows whose impressions cell is empty or a missing-value marker: stored as unknown (null). */
  readonly unknownImpressions = new LineCounter();
  readonly conversionsOverClicks = new LineCounter();
  /**
   * Rows whose campaign cell had spaces or tabs around the name (removed), and the spellings seen per name. Counted
   * as soon as the name is read, so a row rejected for another reason counts too.
   */
  readonly paddedNames = new LineCounter();
  readonly nameSpellings = new Map<string, Set<string>>();
  /** ISO 4217 code -> rows (currency cells that are not a code are not counted). */
  readonly currencies = new Map<string, number>();
  readonly totalsRows: TotalsRow[] = [];
  readonly footerLines: number[] = [];
  /** Earliest start and latest end among the imported rows' periods (see `notePeriod`). */
  periodMin: string | null = null;
  periodMax: string | null = null;

  private readonly sumImpressions = new NeumaierAccumulator();
  private readonly sumClicks = new NeumaierAccumulator();
  private readonly sumConversions = new NeumaierAccumulator();
  private readonly sumSpend = new NeumaierAccumulator();
  private readonly sumRevenue = new NeumaierAccumulator();
  private readonly campaignSet = new Set<string>();
  private campaignsOverflow = false;
  private lastCampaign: string | null = null;
  private lastAcceptedStart: string | null = null;
  private lastCurrencyRaw: string | null = null;
  private currencyRun = 0;

  constructor(private readonly has: TallyColumns) {}

  observation(r: ObservationRead): void {
    this.noteCampaign(r.campaign, r.paddedCampaign, r.line);
    const line = r.line;
    // unknown impressions are never compared with clicks
    if (this.has.impressions && r.impressions === null) this.unknownImpressions.add(line);
    else if (this.has.impressions && this.has.clicks && r.clicks > (r.impressions as number)) this.clicksOverImpressions.add(line);
    if (this.has.clicks && this.has.conversions && r.conversions > r.clicks) this.conversionsOverClicks.add(line);
    if (r.currency !== null) this.noteCurrency(r.currency);
    this.notePeriod(r.periodStart, r.periodEnd);
    if (r.impressions !== null) this.sumImpressions.add(r.impressions);
    this.sumClicks.add(r.clicks);
    this.sumConversions.add(r.conversions);
    this.sumSpend.add(r.spend);
    if (r.revenue !== null) this.sumRevenue.add(r.revenue);
    this.imported++;
  }

  order(r: OrderRead): void {
    this.noteCampaign(r.campaign, r.paddedCampaign, r.line);
    if (r.currency !== null) this.noteCurrency(r.currency);
    if (r.date !== null) this.notePeriod(r.date, r.dateEnd);
    this.sumConversions.add(1);
    this.sumRevenue.add(r.value);
    this.imported++;
  }

  rejection(r: RejectedRead, line: number, reason: string): void {
    if (r.campaign !== null || r.paddedCampaign !== null) this.noteCampaign(r.campaign, r.paddedCampaign, line);
    this.rejected++;
    if (this.firstReasons.length < FIRST_REASONS) this.firstReasons.push(`line ${line}: ${reason}`);
  }

  totalsRow(label: string, line: number, fields: string[]): void {
    if (this.totalsRows.length < MAX_TOTALS_ROWS) this.totalsRows.push({ label, line, fields });
  }

  footer(line: number): void {
    this.footerLines.push(line);
  }

  /** Counts what is still pending; call once after the last row. */
  finish(): void {
    this.flushCurrencyRun();
  }

  /** Distinct campaigns read; null when there were too many to keep in memory (ask the sink). */
  get campaigns(): number | null {
    return this.campaignsOverflow ? null : this.campaignSet.size;
  }

  get totals(): Totals {
    return {
      impressions: this.sumImpressions.value,
      clicks: this.sumClicks.value,
      conversions: this.sumConversions.value,
      spend: this.sumSpend.value,
      revenue: this.sumRevenue.value,
    };
  }

  /**
   * A campaign name read from a row (null when it was empty or "--"), and the cell as written when it had spaces or
   * tabs around the name: the name is stored trimmed (so " Alpha" and "Alpha" are one campaign, as the ad platforms
   * treat them), and the summary warns, naming the spellings merged. Rows usually come grouped by campaign, so only
   * a change of name is looked up.
   */
  private noteCampaign(campaign: string | null, padded: string | null, line: number): void {
    if (padded !== null) this.notePadded(padded.trim(), padded, line);
    if (campaign === null || campaign === this.lastCampaign) return;
    this.lastCampaign = campaign;
    if (!this.campaignsOverflow) {
      this.campaignSet.add(campaign);
      if (this.campaignSet.size > MAX_CAMPAIGN_SET) this.campaignsOverflow = true;
    }
  }

  private notePadded(campaign: string, raw: string, line: number): void {
    this.paddedNames.add(line);
    let spellings = this.nameSpellings.get(campaign);
    if (!spellings) {
      if (this.nameSpellings.size >= MAX_PADDED_NAMES) return;
      this.nameSpellings.set(campaign, (spellings = new Set()));
    }
    if (spellings.size < MAX_SPELLINGS) spellings.add(raw);
  }

  /**
   * Widens the period to an imported row's; rows usually come sorted or grouped by day, so only a change of start
   * is looked at (a row with the same start as the last one counted is taken to end with it).
   */
  private notePeriod(start: string | null, end: string | null): void {
    if (start === null || start === this.lastAcceptedStart) return;
    this.lastAcceptedStart = start;
    const last = end ?? start;
    if (this.periodMin === null || start < this.periodMin) this.periodMin = start;
    if (this.periodMax === null || last > this.periodMax) this.periodMax = last;
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
    if (CURRENCY_CODE.test(code)) this.currencies.set(code, (this.currencies.get(code) ?? 0) + this.currencyRun);
    this.currencyRun = 0;
  }
}
