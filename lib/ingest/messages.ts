/**
 * What the importer tells the user, as data first and English here only: the warnings of a detection and of an
 * import summary (`ImportWarning`, rendered by `warningText`), why a row was rejected (`Rejection`, rendered by
 * `rejectionText`), and how the date order was decided (`DateOrderEvidence`, rendered by `dateOrderText`). Code
 * that needs to pick a message out (drop a warning that a later step replaces) matches its `code`, never its text.
 */
import { formatNumber } from "@/lib/format";

/** A date that decided (or failed to decide) the date order, and its line (null: seen near the end of the file). */
export interface DateExample {
  text: string;
  line: number | null;
}

/** Why slash dates were read day-first or month-first (see DateOrderVote in ./dates). */
export type DateOrderEvidence =
  /** Some dates only fit one order and others only the other: the order most rows need won. */
  | { code: "mixed"; order: "day-first" | "month-first"; winner: DateExample; loser: DateExample }
  /** Some date only fits this order, and none only the other. */
  | { code: "only"; order: "day-first" | "month-first"; example: DateExample }
  /** Every date fits both orders: month-first was a guess. */
  | { code: "guessed"; example: DateExample | null };

/** True when the user should check the date order (a warning), false when the file settles it (a note). */
export const dateOrderUncertain = (e: DateOrderEvidence): boolean => e.code !== "only";

/** A figure the rows sum to, against what the file's totals row reports. */
export interface TotalsDifference {
  field: string;
  imported: number;
  reported: number;
}

/** Lines of rows that tripped one check: how many in all, and the first few line numbers. */
export interface LineCount {
  count: number;
  lines: readonly number[];
}

/** Something to check in a detection or an import summary. */
export type ImportWarning =
  | { code: "read_as_windows_1252" }
  | { code: "replacement_characters" }
  | { code: "date_order"; evidence: DateOrderEvidence }
  | { code: "decimal_comma" }
  /** `rows` is given when every row was counted (the import), absent when only the first rows were (detection). */
  | { code: "mixed_currencies"; currencies: readonly { code: string; rows?: number }[] }
  | { code: "rows_rejected"; count: number }
  | ({ code: "clicks_over_impressions" } & LineCount)
  | ({ code: "unknown_impressions" } & LineCount)
  | ({ code: "padded_campaign_names"; names: readonly { name: string; spellings: readonly string[] }[]; moreNames: boolean } & LineCount)
  | ({ code: "conversions_over_clicks" } & LineCount)
  | { code: "totals_mismatch"; source: string; line: number; differences: readonly TotalsDifference[] };

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** "3 rows have X (lines 4, 9, 12)", with an ellipsis when more lines tripped the check than are listed. */
function lineCountText(c: LineCount, one: string, many: string): string {
  const lines = c.lines.join(", ") + (c.count > c.lines.length ? ", …" : "");
  return `${formatNumber(c.count, 0)} ${plural(c.count, one, many)} (line${plural(c.count, "", "s")} ${lines})`;
}

const where = (e: DateExample) => (e.line === null ? "near the end of the file" : `on line ${e.line}`);
const pattern = (order: "day-first" | "month-first") => (order === "day-first" ? "DD/MM/YYYY" : "MM/DD/YYYY");

/** One sentence on how the date order was decided and why. */
export function dateOrderText(e: DateOrderEvidence): string {
  switch (e.code) {
    case "mixed":
      return (
        `Dates were read ${e.order} (${pattern(e.order)}) because most rows need it (e.g. ${e.winner.text} ` +
        `${where(e.winner)}); rows that only fit the other order (e.g. ${e.loser.text} ${where(e.loser)}) were rejected.`
      );
    case "only":
      return `Dates were read ${e.order} (${pattern(e.order)}): ${e.example.text} ${where(e.example)} can only be ${e.order}.`;
    case "guessed":
      return (
        `Every date in the file (e.g. ${e.example ? `${e.example.text} ${where(e.example)}` : ""}) reads both day-first and ` +
        `month-first; they were read month-first (MM/DD/YYYY). Check the period if your dates are day-first.`
      );
  }
}

/** The sentence shown for a warning. */
export function warningText(w: ImportWarning): string {
  switch (w.code) {
    case "read_as_windows_1252":
      return (
        "The file is not valid UTF-8, so it was read as Windows-1252 (the older Excel encoding). Check that names " +
        "with accents look right; if not, save the file as CSV UTF-8 and upload it again."
      );
    case "replacement_characters":
      return "Some bytes further into the file are not valid UTF-8 and were replaced by �; check names with accents.";
    case "date_order":
      return dateOrderText(w.evidence);
    case "decimal_comma":
      return 'Numbers were read with a decimal comma ("1.234,56" is one thousand two hundred and thirty-four and 56 hundredths).';
    case "mixed_currencies": {
      const list = w.currencies.map((c) =>
        c.rows === undefined ? c.code : `${c.code} (${formatNumber(c.rows, 0)} ${plural(c.rows, "row", "rows")})`,
      );
      return `The rows are in more than one currency: ${list.join(", ")}. Sums mix them.`;
    }
    case "rows_rejected":
      return (
        `${formatNumber(w.count, 0)} ${plural(w.count, "row", "rows")} could not be imported; ` +
        "the rejected rows, with their line numbers and reasons, can be downloaded."
      );
    case "clicks_over_impressions":
      return lineCountText(w, "row has more clicks than impressions", "rows have more clicks than impressions");
    case "unknown_impressions":
      return lineCountText(
        w,
        "row does not state its impressions: stored as unknown (not 0) and left out of click-through rates",
        "rows do not state their impressions: stored as unknown (not 0) and left out of click-through rates",
      );
    case "padded_campaign_names": {
      const names = w.names.map((n) => `"${n.name}" (also written ${n.spellings.map((s) => JSON.stringify(s)).join(", ")})`);
      return (
        lineCountText(w, "row has spaces or tabs around its campaign name", "rows have spaces or tabs around their campaign names") +
        `: they were removed, so names that differ only by them are one campaign: ${names.join("; ")}` +
        (w.moreNames ? "; …" : "") +
        "."
      );
    }
    case "conversions_over_clicks":
      return lineCountText(w, "row has more conversions than clicks", "rows have more conversions than clicks");
    case "totals_mismatch": {
      const diffs = w.differences.map((d) => `${d.field} ${formatNumber(d.imported)} imported vs ${formatNumber(d.reported)} reported`);
      return `The imported sums do not match the file's "${w.source}" row (line ${w.line}): ${diffs.join("; ")}.`;
    }
  }
}

/** Why a row was not imported. `header` is the column's header as written in the file. */
export type Rejection =
  | { code: "malformed_quotes" }
  | { code: "too_many_values"; values: number; columns: number }
  | { code: "single_value" }
  | { code: "no_campaign"; header: string }
  | { code: "no_date"; header: string }
  | { code: "not_a_date"; header: string; cell: string }
  | { code: "period_reversed"; start: string; end: string }
  /** `problem` says why the cell is not a number (numberProblem in ./numbers). */
  | { code: "not_a_number"; header: string; problem: string }
  | { code: "negative"; header: string; cell: string }
  | { code: "not_whole"; header: string; cell: string }
  /** A required figure (clicks, conversions, spend) is empty, or a missing-value marker (`marker`). */
  | { code: "missing_figure"; field: "clicks" | "conversions" | "spend"; header: string; marker: string | null }
  | { code: "no_figures" }
  | { code: "no_order_value"; header: string };

/** The reason stored with a rejected row and shown in the first problems of a refused import. */
export function rejectionText(r: Rejection): string {
  switch (r.code) {
    case "malformed_quotes":
      return 'malformed quotes (a " inside a quoted value must be doubled, and the value must end with ")';
    case "too_many_values":
      return `${r.values} values, but the header has ${r.columns} columns`;
    case "single_value":
      return "a line with a single value, not a data row";
    case "no_campaign":
      return `no campaign (the "${r.header}" column is empty)`;
    case "no_date":
      return `no date (the "${r.header}" column is empty)`;
    case "not_a_date":
      return `"${r.cell}" in "${r.header}" is not a date we can read`;
    case "period_reversed":
      return `the period ends (${r.end}) before it starts (${r.start})`;
    case "not_a_number":
      return `"${r.header}": ${r.problem}`;
    case "negative":
      return `"${r.header}" is negative (${r.cell})`;
    case "not_whole":
      return `"${r.header}" must be a whole number (${r.cell})`;
    case "missing_figure":
      return r.marker === null
        ? `no ${r.field}: "${r.header}" is empty (a required figure)`
        : `no ${r.field}: "${r.header}" is "${r.marker}", a missing-value marker (a required figure)`;
    case "no_figures":
      return "no figures in this row (impressions, clicks, conversions and spend are all empty)";
    case "no_order_value":
      return `no order value (the "${r.header}" column is empty)`;
  }
}
