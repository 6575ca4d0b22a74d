import { currencyFormatter, formatCompact, formatSig } from "@/lib/format";

/** How a lab prints an outcome: money in the dataset's currency, or conversions. */
export interface OutcomeFormat {
  /** A figure, e.g. "$1,234" or "$12.50" or "8.4 conversions". */
  value: (x: number) => string;
  /** An axis tick, e.g. "$1.2K". */
  tick: (x: number) => string;
  /** The unit for axis titles: "USD", "conversions" or "" (plain amounts). */
  unit: string;
}

/** Formatters for revenue (currency may be null: plain amounts) or conversion counts. */
export function outcomeFormat(outcome: "revenue" | "conversions", currency: string | null): OutcomeFormat {
  if (outcome === "conversions") {
    return {
      value: (x) => `${formatSig(x, 3)} conv.`,
      tick: (x) => formatCompact(x),
      unit: "conversions",
    };
  }
  const m0 = currencyFormatter(currency, { digits: 0 });
  const m2 = currencyFormatter(currency, { digits: 2 });
  return {
    value: (x) => (Math.abs(x) >= 100 ? m0(x) : m2(x)),
    tick: (x) => formatCompact(x, currency),
    unit: currency ?? "",
  };
}
