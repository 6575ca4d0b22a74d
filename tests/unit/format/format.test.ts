import { describe, expect, it } from "vitest";
import {
  COMMON_CURRENCIES,
  currencyFormatter,
  currencyLabel,
  formatExpected,
  pluralCount,
  currencySymbol,
  daysBetween,
  formatCompact,
  formatCount,
  formatCurrency,
  formatDate,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatPercentRange,
  formatPeriod,
  formatProbability,
  formatRange,
  formatShortDate,
  formatPlain,
  formatPrecision,
  formatSig,
  MISSING,
  niceTicks,
  normaliseCurrency,
  plural,
} from "@/lib/format";

// Expected strings are the en-US conventions written out by hand (thousands comma, dot decimal, symbol before the
// amount); exact string equality, no tolerance.

describe("missing values", () => {
  it("prints an en dash, never NaN, for null, undefined, NaN and infinities", () => {
    for (const v of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(formatNumber(v)).toBe(MISSING);
      expect(formatCount(v)).toBe(MISSING);
      expect(formatSig(v)).toBe(MISSING);
      expect(formatPercent(v)).toBe(MISSING);
      expect(formatProbability(v)).toBe(MISSING);
      expect(formatCurrency(v, "USD")).toBe(MISSING);
      expect(formatCompact(v)).toBe(MISSING);
    }
    expect(MISSING).toBe("–");
  });
});

describe("formatNumber", () => {
  it("groups thousands and keeps at most the given decimals", () => {
    expect(formatNumber(1234.5678)).toBe("1,234.57");
    expect(formatNumber(1234.5678, 0)).toBe("1,235");
    expect(formatNumber(0.5, 3)).toBe("0.5");
  });
  it("never prints a negative zero", () => {
    expect(formatNumber(-0.001, 2)).toBe("0");
    expect(formatNumber(-0)).toBe("0");
  });
});

describe("formatCount", () => {
  it("prints whole counts without decimals", () => {
    expect(formatCount(12345)).toBe("12,345");
    expect(formatCount(0)).toBe("0");
  });
  it("keeps one decimal for fractional counts, two below 10", () => {
    expect(formatCount(428.2)).toBe("428.2");
    expect(formatCount(428.25)).toBe("428.3");
    expect(formatCount(0.25)).toBe("0.25");
  });
});

describe("formatSig", () => {
  it("keeps three significant digits for small model figures", () => {
    expect(formatSig(0.043216)).toBe("0.0432");
    expect(formatSig(2.71828)).toBe("2.72");
  });
  it("never drops integer digits", () => {
    expect(formatSig(1234.5)).toBe("1,235");
  });
  it("prints zero as 0", () => {
    expect(formatSig(0)).toBe("0");
  });
});

describe("formatPlain", () => {
  it("rounds to significant digits and drops trailing zeros, without separators", () => {
    expect(formatPlain(0.0123456, 2)).toBe("0.012");
    expect(formatPlain(14.0, 3)).toBe("14");
    expect(formatPlain(12345.6, 4)).toBe("12350");
    expect(formatPlain(0.15, 2)).toBe("0.15");
  });
  it("keeps tiny values readable in exponent form rather than rounding them to 0", () => {
    expect(formatPlain(3.2149e-9, 2)).toBe("3.2e-9");
  });
  it("prints missing values as an en dash and -0 as 0", () => {
    expect(formatPlain(Number.NaN, 2)).toBe(MISSING);
    expect(formatPlain(-0.00000000001, 1)).toBe("-1e-11");
    expect(formatPlain(-0, 3)).toBe("0");
  });
});

describe("formatPrecision", () => {
  it("keeps exactly the significant digits asked for, trailing zeros included", () => {
    expect(formatPrecision(0.004, 2)).toBe("0.0040");
    expect(formatPrecision(14, 3)).toBe("14.0");
  });
  it("writes tiny and large values with an exponent, as toPrecision does", () => {
    expect(formatPrecision(3.2149e-9, 2)).toBe("3.2e-9");
    expect(formatPrecision(1234, 2)).toBe("1.2e+3");
  });
  it("prints missing values as an en dash and a rounded -0 without its sign", () => {
    expect(formatPrecision(Number.POSITIVE_INFINITY, 2)).toBe(MISSING);
    expect(formatPrecision(-0, 2)).toBe("0.0");
  });
});

describe("currency", () => {
  it("formats in the dataset's currency with its own decimals", () => {
    expect(formatCurrency(1234.5, "USD")).toBe("$1,234.50");
    expect(formatCurrency(-3.5, "EUR")).toBe("-€3.50");
    expect(formatCurrency(1234.5, "JPY")).toBe("¥1,235");
    expect(formatCurrency(1234.5, "usd")).toBe("$1,234.50");
  });
  it("falls back to plain numbers without a currency or with a malformed code", () => {
    expect(formatCurrency(1234.5, null)).toBe("1,234.5");
    expect(formatCurrency(1234.567, undefined)).toBe("1,234.57");
    expect(formatCurrency(10, "dollars")).toBe("10");
  });
  it("takes fixed decimals when asked", () => {
    expect(currencyFormatter("USD", { digits: 0 })(1234.5)).toBe("$1,235");
    expect(currencyFormatter(null, { digits: 0 })(1234.5)).toBe("1,235");
  });
  it("prints amounts that round to zero without a minus sign", () => {
    expect(formatCurrency(-0.001, "USD")).toBe("$0.00");
  });
  it("names the symbol, or nothing without a currency", () => {
    expect(currencySymbol("USD")).toBe("$");
    expect(currencySymbol("GBP")).toBe("£");
    expect(currencySymbol(null)).toBe("");
    expect(normaliseCurrency(" eur ")).toBe("EUR");
    expect(normaliseCurrency("€")).toBeNull();
  });
});

describe("formatCompact", () => {
  it("shortens axis labels", () => {
    expect(formatCompact(1234)).toBe("1.2K");
    expect(formatCompact(1500, "USD")).toBe("$1.5K");
    expect(formatCompact(2_500_000)).toBe("2.5M");
    expect(formatCompact(0.25)).toBe("0.25");
    expect(formatCompact(950)).toBe("950");
    expect(formatCompact(655.2, "USD")).toBe("$655");
    expect(formatCompact(500, "USD")).toBe("$500");
    expect(formatCompact(2.5, "USD")).toBe("$2.5");
  });
});

describe("formatPercent", () => {
  it("adapts decimals to the size of the rate", () => {
    expect(formatPercent(0.1234)).toBe("12.3%");
    expect(formatPercent(0.0234)).toBe("2.34%");
    expect(formatPercent(0.000456)).toBe("0.046%");
    expect(formatPercent(0.0042)).toBe("0.42%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(1)).toBe("100%");
  });
  it("takes the base number of decimals", () => {
    expect(formatPercent(0.1234, 0)).toBe("12%");
    expect(formatPercent(0.5, 0)).toBe("50%");
  });
  it("keeps the sign of a change", () => {
    expect(formatPercent(-0.25)).toBe("-25%");
  });
});

describe("formatProbability", () => {
  it("never promises that something cannot or must happen", () => {
    expect(formatProbability(0.00002)).toBe("<0.1%");
    expect(formatProbability(0.9996)).toBe(">99.9%");
  });
  it("prints exact 0 and 1 as such", () => {
    expect(formatProbability(0)).toBe("0%");
    expect(formatProbability(1)).toBe("100%");
  });
  it("uses one decimal near the ends and none in the middle", () => {
    expect(formatProbability(0.5)).toBe("50%");
    expect(formatProbability(0.0512)).toBe("5.1%");
    expect(formatProbability(0.953)).toBe("95.3%");
    expect(formatProbability(0.337)).toBe("34%");
  });
  it("clamps rounding noise outside [0, 1]", () => {
    expect(formatProbability(-1e-12)).toBe("0%");
    expect(formatProbability(1 + 1e-12)).toBe("100%");
  });
});

describe("formatRange", () => {
  it("joins two ends with an en dash", () => {
    expect(formatRange(0.012, 0.034, (x) => formatPercent(x))).toBe("1.2%–3.4%");
    expect(formatRange(3, 12)).toBe("3–12");
  });
  it("is missing when either end is", () => {
    expect(formatRange(null, 3)).toBe("–");
    expect(formatRange(1, Number.NaN)).toBe("–");
  });
});

describe("dates", () => {
  it("prints ISO dates as day, short month, year without time-zone shifts", () => {
    expect(formatDate("2026-03-02")).toBe("2 Mar 2026");
    expect(formatDate("2026-12-31T23:59:59Z")).toBe("31 Dec 2026");
    expect(formatShortDate("2026-01-09")).toBe("9 Jan");
  });
  it("returns text that is not an ISO date unchanged", () => {
    expect(formatDate("ad 17")).toBe("ad 17");
    expect(formatDate("2026-13-01")).toBe("2026-13-01");
    expect(formatDate(null)).toBe("–");
  });
  it("prints timestamps in UTC", () => {
    expect(formatDateTime("2026-03-02T14:05:09.123Z")).toBe("2 Mar 2026, 14:05 UTC");
  });
  it("counts the days of a period inclusively", () => {
    expect(daysBetween("2026-01-01", "2026-01-07")).toBe(7);
    expect(daysBetween("2026-01-01", "2026-06-29")).toBe(180);
    expect(daysBetween("2026-02-01", "2026-01-01")).toBeNull();
    expect(formatPeriod({ start: "2026-01-01", end: "2026-01-07" })).toBe("1 Jan 2026 – 7 Jan 2026 (7 days)");
    expect(formatPeriod({ start: "2026-01-01", end: "2026-01-01" })).toBe("1 Jan 2026 – 1 Jan 2026 (1 day)");
    expect(formatPeriod(null)).toBe("no dates");
  });
});

describe("plural", () => {
  it("agrees with the count", () => {
    expect(plural(1, "campaign")).toBe("1 campaign");
    expect(plural(3, "campaign")).toBe("3 campaigns");
    expect(plural(1200, "day")).toBe("1,200 days");
  });
});

describe("niceTicks", () => {
  // Reference: Heckbert's nice numbers, worked by hand: raw step = range/count, rounded up to 1, 2 or 5 x 10^k.
  it("steps by 1, 2 or 5 times a power of ten", () => {
    expect(niceTicks(0, 97, 5)).toEqual([0, 20, 40, 60, 80]); // raw 19.4 -> 20
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]); // raw 0.2 -> 0.2
    expect(niceTicks(-0.5, 12.5, 6)).toEqual([0, 5, 10]); // raw 2.17 -> 5
    expect(niceTicks(0, 0.0031, 4)).toEqual([0, 0.001, 0.002, 0.003]); // raw 0.000775 -> 0.001
  });
  it("gives exact decimals, not floating drift", () => {
    expect(niceTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
  });
  it("handles a single point and bad input explicitly", () => {
    expect(niceTicks(4, 4)).toEqual([4]);
    expect(niceTicks(5, 1)).toEqual([]);
    expect(niceTicks(0, Number.NaN)).toEqual([]);
  });
});

describe("formatPercentRange", () => {
  it("uses the decimals the smaller end needs at both ends", () => {
    expect(formatPercentRange(0.0082, 0.01)).toBe("0.82%–1.00%");
    expect(formatPercentRange(0.12, 0.2)).toBe("12.0%–20.0%");
    expect(formatPercentRange(0, 0.034)).toBe("0.00%–3.40%");
  });
  it("is missing when either end is", () => {
    expect(formatPercentRange(Number.NaN, 0.1)).toBe("–");
  });
});

describe("counts with their nouns", () => {
  // Expected strings written out by hand (en-US grouping; singular only when the printed figure is exactly 1).
  it("plural agrees with the rounded figure it prints", () => {
    expect(plural(1, "row")).toBe("1 row");
    expect(plural(0, "row")).toBe("0 rows");
    expect(plural(0.6, "row")).toBe("1 row");
    expect(plural(48698.8, "sale")).toBe("48,699 sales");
    expect(plural(2, "day", "days")).toBe("2 days");
    expect(plural(Number.NaN, "ad")).toBe("– ads");
  });
  it("pluralCount keeps fractional counts and is singular only for exactly 1", () => {
    expect(pluralCount(1, "conversion")).toBe("1 conversion");
    expect(pluralCount(2.5, "sale")).toBe("2.5 sales");
    expect(pluralCount(1.25, "conversion")).toBe("1.25 conversions");
    expect(pluralCount(12345, "click")).toBe("12,345 clicks");
  });
  it("formatExpected prints whole figures from 100 up and three significant digits below", () => {
    expect(formatExpected(48698.8)).toBe("48,699");
    expect(formatExpected(12.34)).toBe("12.3");
    expect(formatExpected(0.4321)).toBe("0.432");
    expect(formatExpected(1)).toBe("1");
    expect(formatExpected(Number.NaN)).toBe(MISSING);
  });
  it("names currencies for the import select", () => {
    expect(currencyLabel("EUR")).toBe("EUR (Euro)");
    expect(COMMON_CURRENCIES[0]).toBe("USD");
    for (const c of COMMON_CURRENCIES) expect(normaliseCurrency(c)).toBe(c);
  });
});
