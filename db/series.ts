import "server-only";
import type Database from "better-sqlite3";
import type { CampaignObservationRow } from "./queries";
import type { CampaignSeries } from "./schema";

/*
 * Campaign series: a packed copy of a dataset's live observation rows (table campaign_series), what
 * getObservationsByCampaign (db/queries.ts) yields for the whole dataset, so that an analysis reads one blob instead
 * of one SQLite row per campaign-day (better-sqlite3 converts each row and value: ~1.3 µs a row, 0.5 s of CPU for
 * 1,000 campaigns x 365 days).
 *
 * Layout, for the n rows of all campaigns in the generator's order (campaigns by name, rows by period then id):
 *   meta: JSON {v, le, campaigns, counts, dates, columns, dateBytes, ends}: the campaign names, each campaign's row
 *         count, the distinct date strings (the dictionary the date columns index), how each value column is stored,
 *         the width of a date index, whether a period_end column is stored (without it, every row ends on the day it
 *         starts), the layout version and the byte order the columns were written in;
 *   data: n values of each column, columns ordered by width (widest first, so every column starts aligned to its
 *         width), ties in this order: impressions, clicks, conversions, spend, revenue, period_start, period_end.
 *         A value column is Float64 (`bytes` 8; SQL NULL as NaN, which SQLite never returns: it stores a NaN as
 *         NULL) or a signed integer of 4, 2 or 1 bytes holding value x 10^decimals (NULL as the type's minimum);
 *         it is stored as integers only if every value comes back exactly (k / 10^d === value, checked when
 *         packing), in the narrowest type that holds them. A date is its index in meta.dates (-1 for NULL).
 *   Counts, cents and a year of days take 17 bytes a row (1,000 campaigns x 365 days: 6.2 MB); 48 at most.
 *
 * Validity: every write that changes which rows of a dataset are live deletes its series in the same transaction
 * (forgetSeries). A reader stores a series only if no write committed while it read the rows (storeSeries).
 */

/** Version of the layout above; a series of another version (or byte order) is not served, and is built again. */
const SERIES_VERSION = 1;
/** impressions, clicks, conversions, spend, revenue: row positions 2..6. */
const VALUE_COLUMNS = 5;
/** Most decimals an integer column holds (Google Ads' micros: 6). */
const MAX_DECIMALS = 6;
/** 10^d, exact as doubles. */
const SCALES = Array.from({ length: MAX_DECIMALS + 1 }, (_, d) => 10 ** d);
/** NULL while packing (and in a 4-byte column); values are kept to [-(2^31 - 1), 2^31 - 1]. */
const INT_NULL = -2147483648;
const INT_MAX = 2147483647;
/** Rows the columns are first made for when the read's size is not known. */
const MIN_CAPACITY = 4096;
/** Byte order of this machine: typed arrays use it, so columns written in another order are rebuilt, not misread. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type IntBytes = 1 | 2 | 4;
type IntArray = Int8Array | Int16Array | Int32Array;
/** The largest value of a signed integer of this width; its minimum (one below -max) is a value column's NULL. */
const INT_MAX_OF: Record<IntBytes, number> = { 1: 127, 2: 32767, 4: INT_MAX };

/** How a value column is stored: Float64 (bytes 8), or integers of value x 10^decimals. */
interface ColumnLayout {
  bytes: IntBytes | 8;
  decimals: number;
}

interface SeriesMeta {
  v: number;
  le: boolean;
  campaigns: string[];
  counts: number[];
  dates: string[];
  columns: ColumnLayout[];
  dateBytes: IntBytes;
  ends: boolean;
}

/** A packed series ready to store: its meta (JSON) and its columns. */
export interface PackedSeries {
  meta: string;
  data: Buffer;
}

/**
 * Deletes a dataset's series. Call it inside the transaction of every write that changes which of the dataset's
 * observation rows are live (rows written, superseded, brought back, deleted), on the connection that holds it.
 */
export function forgetSeries(conn: Database.Database, datasetId: number): void {
  conn.prepare("DELETE FROM campaign_series WHERE dataset_id = ?").run(datasetId);
}

/** The narrowest signed integer width holding every value in [lo, hi] (and, below them, its NULL). */
const widthOf = (lo: number, hi: number): IntBytes => (lo >= -127 && hi <= 127 ? 1 : lo >= -32767 && hi <= 32767 ? 2 : 4);

const intArray = (bytes: IntBytes, buffer: ArrayBufferLike, offset: number, n: number): IntArray =>
  bytes === 1 ? new Int8Array(buffer, offset, n) : bytes === 2 ? new Int16Array(buffer, offset, n) : new Int32Array(buffer, offset, n);

/**
 * The columns in the order the blob holds them, with their offsets: widest first, so that each starts at a multiple
 * of its width (every column before it is n values of a wider or equal power-of-two width). Column 5 is period_start,
 * 6 period_end (left out when `ends` is false).
 */
function placeColumns(meta: Pick<SeriesMeta, "columns" | "dateBytes" | "ends">, n: number): { offsets: number[]; size: number } {
  const widths = [...meta.columns.map((c) => c.bytes), meta.dateBytes, ...(meta.ends ? [meta.dateBytes] : [])];
  const order = widths.map((_, i) => i).sort((a, b) => widths[b]! - widths[a]! || a - b);
  const offsets: number[] = [];
  let at = 0;
  for (const i of order) {
    offsets[i] = at;
    at += widths[i]! * n;
  }
  return { offsets, size: at };
}

/** The range of a column's integers (0 included) and its NULL count, filled by the packing passes. */
interface IntRange {
  lo: number;
  hi: number;
  nulls: number;
}

/**
 * Packs a value column into integers of value x 10^d with the fewest decimals d that give every value back exactly
 * (k / 10^d === value; NULL, NaN here, as INT_NULL), into `out`. Returns d with the range of the integers, or null
 * when no d <= MAX_DECIMALS holds the column (then it is stored as Float64). A pass stops at the first value that
 * does not fit and the next one starts with the fewest decimals that value needs: one pass for a column whose first
 * value sets its decimals, MAX_DECIMALS + 1 at most.
 */
function packInts(col: Float64Array, n: number, out: Int32Array): (IntRange & { decimals: number }) | null {
  let d = 0;
  for (;;) {
    const range: IntRange = { lo: 0, hi: 0, nulls: 0 };
    const failed = d === 0 ? packCounts(col, n, out, range) : packScaled(col, n, out, SCALES[d]!, range);
    if (failed < 0) return { ...range, decimals: d };
    // the value that did not fit, with more decimals (a value that fits with fewer may leave the range with more,
    // which the next pass finds)
    const v = col[failed]!;
    do if (++d > MAX_DECIMALS) return null;
    while (!fitsInt(v, SCALES[d]!));
  }
}

/**
 * One packing pass with no decimals (counts): v | 0, no division. Returns the index of the first value that is not
 * an Int32 count (or is INT_NULL, which marks NULL, or -0, which would come back +0), or -1 when all are (`range`
 * then filled). Kept apart from packScaled: one loop choosing its test per value was 40% slower.
 */
function packCounts(col: Float64Array, n: number, out: Int32Array, range: IntRange): number {
  let { lo, hi, nulls } = range;
  for (let i = 0; i < n; i++) {
    const v = col[i]!;
    const k = v | 0;
    if (k !== v || k === INT_NULL || (k === 0 && 1 / v < 0)) {
      if (v === v) return i;
      out[i] = INT_NULL;
      nulls++;
      continue;
    }
    out[i] = k;
    if (k < lo) lo = k;
    else if (k > hi) hi = k;
  }
  Object.assign(range, { lo, hi, nulls });
  return -1;
}

/** One packing pass with scale s = 10^d, d >= 1: Math.round(v x s), checked as fitsInt does. As packCounts otherwise. */
function packScaled(col: Float64Array, n: number, out: Int32Array, s: number, range: IntRange): number {
  let { lo, hi, nulls } = range;
  for (let i = 0; i < n; i++) {
    const v = col[i]!;
    const k = Math.round(v * s);
    // fitsInt, with k computed once
    if (!(k >= -INT_MAX && k <= INT_MAX && k / s === v) || (k === 0 && 1 / v < 0)) {
      if (v === v) return i;
      out[i] = INT_NULL;
      nulls++;
      continue;
    }
    out[i] = k;
    if (k < lo) lo = k;
    else if (k > hi) hi = k;
  }
  Object.assign(range, { lo, hi, nulls });
  return -1;
}

/** Whether `v` comes back exactly as Math.round(v x s) / s inside [-(2^31 - 1), 2^31 - 1], and is not -0. */
function fitsInt(v: number, s: number): boolean {
  const k = Math.round(v * s);
  return k >= -INT_MAX && k <= INT_MAX && k / s === v && !(k === 0 && 1 / v < 0);
}

/**
 * Packs campaigns' rows, one campaign at a time as the SQL read yields them, into growing typed columns (never an
 * object per row). A value the layout cannot hold exactly (a number column holding text, which SQLite's typing
 * allows) marks the series unusable: `finish` then returns null.
 */
export class SeriesBuilder {
  private n = 0;
  private values: Float64Array[] = [];
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  private sameEnds = true;
  private readonly campaigns: string[] = [];
  private readonly counts: number[] = [];
  private readonly dates: string[] = [];
  private readonly dateIndex = new Map<string, number>();
  /** The previous campaign's period_start strings and their indexes, by row position (campaigns share their days). */
  private readonly lastStarts: unknown[] = [];
  private readonly lastIndexes: number[] = [];
  private usable = true;

  /**
   * @param expectedRows - how many rows the read will add, when known (datasets.rows_imported): the columns are made
   *   that long at the first add, and grow (doubling) past it. Growing from a small start cost about a third of the
   *   packing on 365,000 rows.
   */
  constructor(private readonly expectedRows = 0) {}

  add(campaign: string, rows: readonly CampaignObservationRow[]): void {
    if (!this.usable) return;
    const m = rows.length;
    const room = this.starts.length;
    if (this.n + m > room && !this.grow(Math.max(room === 0 ? this.expectedRows : 2 * room, this.n + m, MIN_CAPACITY))) return;
    const [impressions, clicks, conversions, spend, revenue] = this.values as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    const { starts, ends, lastStarts, lastIndexes } = this;
    let sameEnds = true;
    let i = this.n;
    for (let j = 0; j < m; j++, i++) {
      const r = rows[j]!;
      const start = r[0];
      // a dictionary lookup hashes the string (~60 ns); the day at the same position of the previous campaign is
      // usually the same, found by one comparison
      let s: number;
      if (start === lastStarts[j] && start !== null) s = lastIndexes[j]!;
      else {
        s = this.dateOf(start);
        lastStarts[j] = start;
        lastIndexes[j] = s;
      }
      starts[i] = s;
      const e = r[1] === start ? s : this.dateOf(r[1]);
      ends[i] = e;
      sameEnds &&= e === s;
      const a = r[2];
      const b = r[3];
      const c = r[4];
      const d = r[5];
      const f = r[6];
      if (typeof a === "number" && typeof b === "number" && typeof c === "number" && typeof d === "number" && typeof f === "number") {
        impressions[i] = a;
        clicks[i] = b;
        conversions[i] = c;
        spend[i] = d;
        revenue[i] = f;
      } else if (!this.setValues(r, i)) return;
    }
    this.n = i;
    this.sameEnds &&= sameEnds;
    this.campaigns.push(campaign);
    this.counts.push(m);
  }

  /**
   * The packed series, or null when there is nothing to store (no rows), a value could not be packed exactly, or
   * memory ran out. Never throws.
   */
  finish(): PackedSeries | null {
    if (!this.usable || this.campaigns.length === 0) return null;
    try {
      return this.pack();
    } catch {
      return null;
    }
  }

  private pack(): PackedSeries {
    const n = this.n;
    const packed = this.values.map((col) => {
      const ints = new Int32Array(n);
      const p = packInts(col, n, ints);
      if (!p) return { col, ints, layout: { bytes: 8, decimals: 0 } satisfies ColumnLayout };
      const bytes = widthOf(p.lo, p.hi);
      // NULL is the minimum of the type the column is stored in
      if (p.nulls > 0 && bytes !== 4) {
        const none = -INT_MAX_OF[bytes] - 1;
        for (let i = 0; i < n; i++) if (ints[i] === INT_NULL) ints[i] = none;
      }
      return { col, ints, layout: { bytes, decimals: p.decimals } satisfies ColumnLayout };
    });
    const meta: SeriesMeta = {
      v: SERIES_VERSION,
      le: LITTLE_ENDIAN,
      campaigns: this.campaigns,
      counts: this.counts,
      dates: this.dates,
      columns: packed.map((p) => p.layout),
      dateBytes: widthOf(-1, this.dates.length - 1),
      ends: !this.sameEnds,
    };
    const { offsets, size } = placeColumns(meta, n);
    // a buffer of its own (never a slice of Node's shared pool), so every column's view starts aligned
    const data = Buffer.allocUnsafeSlow(size);
    const at = (c: number) => data.byteOffset + offsets[c]!;
    packed.forEach(({ col, ints, layout }, c) => {
      // every integer fits the width chosen for it: the typed copy keeps each value
      if (layout.bytes === 8) new Float64Array(data.buffer, at(c), n).set(col.subarray(0, n));
      else intArray(layout.bytes, data.buffer, at(c), n).set(ints);
    });
    intArray(meta.dateBytes, data.buffer, at(VALUE_COLUMNS), n).set(this.starts.subarray(0, n));
    if (meta.ends) intArray(meta.dateBytes, data.buffer, at(VALUE_COLUMNS + 1), n).set(this.ends.subarray(0, n));
    return { meta: JSON.stringify(meta), data };
  }

  /** Makes the columns `capacity` rows long, keeping what they hold; false (series given up) when memory runs out. */
  private grow(capacity: number): boolean {
    const n = this.n;
    const widen = <T extends Float64Array | Int32Array>(old: T | undefined, make: (c: number) => T): T => {
      const next = make(capacity);
      if (old) next.set(old.subarray(0, n));
      return next;
    };
    try {
      this.values = Array.from({ length: VALUE_COLUMNS }, (_, c) => widen(this.values[c], (k) => new Float64Array(k)));
      this.starts = widen(this.starts, (k) => new Int32Array(k));
      this.ends = widen(this.ends, (k) => new Int32Array(k));
      return true;
    } catch {
      // the read the caller is doing needs none of this: it goes on, and no series is stored
      this.usable = false;
      this.values = [];
      this.starts = this.ends = new Int32Array(0);
      return false;
    }
  }

  /** Row r's values at i when one of them is not a number: NULL as NaN; anything else makes the series unusable. */
  private setValues(r: CampaignObservationRow, i: number): boolean {
    for (let c = 0; c < VALUE_COLUMNS; c++) {
      const v: unknown = r[c + 2];
      if (typeof v !== "number" && v !== null) {
        this.usable = false;
        return false;
      }
      this.values[c]![i] = v ?? NaN;
    }
    return true;
  }

  private dateOf(v: unknown): number {
    if (typeof v !== "string") {
      if (v !== null) this.usable = false;
      return -1;
    }
    let k = this.dateIndex.get(v);
    if (k === undefined) {
      k = this.dates.length;
      this.dates.push(v);
      this.dateIndex.set(v, k);
    }
    return k;
  }
}

const storeStatements = new WeakMap<Database.Database, { read: Database.Statement; write: Database.Statement }>();

function statements(conn: Database.Database): { read: Database.Statement; write: Database.Statement } {
  let s = storeStatements.get(conn);
  if (!s) {
    s = {
      read: conn.prepare("SELECT meta, data FROM campaign_series WHERE dataset_id = ?"),
      write: conn.prepare(
        `INSERT INTO campaign_series (dataset_id, meta, data) VALUES (?, ?, ?)
         ON CONFLICT (dataset_id) DO UPDATE SET meta = excluded.meta, data = excluded.data`,
      ),
    };
    storeStatements.set(conn, s);
  }
  return s;
}

/**
 * Stores a dataset's series, best effort: in its own write transaction taken without waiting (busy timeout 0 for
 * the attempt; the connection's own is restored), and only if `unchanged()`, asked under the write lock, says no
 * write committed since the rows were read. Returns whether it stored; never throws (the rows the caller read are
 * right either way, and the next full read tries again). Skipped when the connection is already in a transaction.
 */
export function storeSeries(conn: Database.Database, datasetId: number, series: PackedSeries, unchanged: () => boolean): boolean {
  if (!conn.open || conn.readonly || conn.inTransaction) return false;
  let timeout: number | undefined;
  try {
    const { write } = statements(conn);
    timeout = conn.pragma("busy_timeout", { simple: true }) as number;
    conn.pragma("busy_timeout = 0");
    conn.exec("BEGIN IMMEDIATE");
    if (!unchanged()) return false;
    write.run(datasetId, series.meta, series.data);
    conn.exec("COMMIT");
    return true;
  } catch {
    return false;
  } finally {
    try {
      if (conn.inTransaction) conn.exec("ROLLBACK");
      if (timeout !== undefined) conn.pragma(`busy_timeout = ${timeout}`);
    } catch {
      // the connection went away under the attempt: nothing left to restore
    }
  }
}

/** A stored series: `campaigns` decodes one campaign at a time into exactly what the SQL read yields. */
export interface StoredSeries {
  campaigns(only?: readonly string[]): Generator<{ campaign: string; rows: CampaignObservationRow[] }>;
}

const isWidth = (b: unknown): b is IntBytes => b === 1 || b === 2 || b === 4;

function parseMeta(json: string): SeriesMeta | null {
  try {
    const meta = JSON.parse(json) as SeriesMeta;
    const fits =
      meta.v === SERIES_VERSION &&
      meta.le === LITTLE_ENDIAN &&
      meta.counts.length === meta.campaigns.length &&
      meta.columns.length === VALUE_COLUMNS &&
      meta.columns.every((c) => c.bytes === 8 || (isWidth(c.bytes) && c.decimals >= 0 && c.decimals <= MAX_DECIMALS)) &&
      isWidth(meta.dateBytes);
    return fits ? meta : null;
  } catch {
    return null;
  }
}

/** The dataset's stored series, or null when there is none (or it was written in another layout or byte order). */
export function readSeries(conn: Database.Database, datasetId: number): StoredSeries | null {
  const row = statements(conn).read.get(datasetId) as Pick<CampaignSeries, "meta" | "data"> | undefined;
  const meta = row ? parseMeta(row.meta) : null;
  if (!row || !meta) return null;
  let n = 0;
  let most = 0;
  for (const c of meta.counts) {
    n += c;
    most = Math.max(most, c);
  }
  const { offsets, size } = placeColumns(meta, n);
  let data: Uint8Array = row.data;
  if (data.byteLength !== size) return null;
  // a typed view needs an offset aligned to its width: better-sqlite3 gives a buffer of its own, else it is copied
  if (data.byteOffset % 8 !== 0) data = new Uint8Array(data);
  const at = (c: number) => data.byteOffset + offsets[c]!;
  const columns = meta.columns.map((layout, c) => ({
    float: layout.bytes === 8 ? new Float64Array(data.buffer, at(c), n) : null,
    ints: layout.bytes === 8 ? null : intArray(layout.bytes, data.buffer, at(c), n),
    none: layout.bytes === 8 ? 0 : -INT_MAX_OF[layout.bytes] - 1,
    scale: SCALES[layout.decimals]!,
  }));
  const starts = intArray(meta.dateBytes, data.buffer, at(VALUE_COLUMNS), n);
  const ends = meta.ends ? intArray(meta.dateBytes, data.buffer, at(VALUE_COLUMNS + 1), n) : starts;
  const { dates } = meta;
  // one campaign's values, decoded column by column (NULL as NaN)
  const scratch = Array.from({ length: VALUE_COLUMNS }, () => new Float64Array(most));
  const decode = (from: number, count: number) => {
    columns.forEach(({ float, ints, none, scale }, c) => {
      const out = scratch[c]!;
      if (float) out.set(float.subarray(from, from + count));
      else if (ints) {
        // the typed copy converts any integer width; the loop then reads one array type only
        out.set(ints.subarray(from, from + count));
        for (let j = 0; j < count; j++) {
          const k = out[j]!;
          out[j] = k === none ? NaN : k / scale;
        }
      }
    });
  };
  const orNull = (v: number) => (v !== v ? null : v);
  return {
    *campaigns(only) {
      const [impressions, clicks, conversions, spend, revenue] = scratch as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
      let from = 0;
      for (let c = 0; c < meta.campaigns.length; c++) {
        const campaign = meta.campaigns[c]!;
        const count = meta.counts[c]!;
        if (!only || only.includes(campaign)) {
          decode(from, count);
          const rows = new Array<CampaignObservationRow>(count);
          for (let j = 0; j < count; j++) {
            const s = starts[from + j]!;
            const e = ends[from + j]!;
            rows[j] = [
              s < 0 ? null : dates[s]!,
              e < 0 ? null : dates[e]!,
              orNull(impressions[j]!),
              orNull(clicks[j]!) as number,
              orNull(conversions[j]!) as number,
              orNull(spend[j]!) as number,
              orNull(revenue[j]!),
            ];
          }
          yield { campaign, rows };
        }
        from += count;
      }
    },
  };
}
