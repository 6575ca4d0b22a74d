import { describe, expect, it } from "vitest";
import { DateOrderVote, addDays, daysInMonth, endOfMonth, parseDay, parseDayRange } from "@/lib/ingest/dates";
import { dateOrderText, dateOrderUncertain } from "@/lib/ingest/messages";

describe("parseDay", () => {
  it("reads the forms exports write", () => {
    const cases: [string, string][] = [
      ["2026-01-05", "2026-01-05"],
      ["2026/1/5", "2026-01-05"],
      ["2026-01-05T00:00:00Z", "2026-01-05"],
      ["2026-01-05 13:45:00", "2026-01-05"],
      ["Jan 5, 2026", "2026-01-05"],
      ["January 5 2026", "2026-01-05"],
      ["Mon, Jan 5, 2026", "2026-01-05"],
      ["5 January 2026", "2026-01-05"],
      ["27 January 2026", "2026-01-27"],
      ["05-Jan-2026", "2026-01-05"],
      ["5th Sept 2026", "2026-09-05"],
      ["05.01.2026", "2026-01-05"], // dotted: always day-first
    ];
    for (const [s, iso] of cases) expect(parseDay(s, "month-first"), s).toBe(iso);
  });

  it("reads slash dates in the order it is told", () => {
    expect(parseDay("01/05/2026", "month-first")).toBe("2026-01-05");
    expect(parseDay("01/05/2026", "day-first")).toBe("2026-05-01");
    expect(parseDay("1/13/26", "month-first")).toBe("2026-01-13");
    expect(parseDay("13/1/2026", "month-first")).toBeNull(); // no 13th month
  });

  it("refuses days that do not exist", () => {
    for (const s of ["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "31 June 2026", "Foo 5, 2026", "", "yesterday"]) {
      expect(parseDay(s, "month-first"), s).toBeNull();
    }
    expect(parseDay("2024-02-29", "month-first")).toBe("2024-02-29");
  });
});

describe("parseDayRange", () => {
  it("reads ranges and months", () => {
    expect(parseDayRange("2026-01-05 - 2026-01-11", "month-first")).toEqual({ start: "2026-01-05", end: "2026-01-11" });
    expect(parseDayRange("1 January 2026 - 31 January 2026", "month-first")).toEqual({ start: "2026-01-01", end: "2026-01-31" });
    expect(parseDayRange("Jan 1, 2026 - Jan 31, 2026", "month-first")).toEqual({ start: "2026-01-01", end: "2026-01-31" });
    expect(parseDayRange("Jan 1, 2026 – Jan 31, 2026", "month-first")).toEqual({ start: "2026-01-01", end: "2026-01-31" });
    expect(parseDayRange("1/12/2026 to 1/14/2026", "month-first")).toEqual({ start: "2026-01-12", end: "2026-01-14" });
    expect(parseDayRange("February 2024", "month-first")).toEqual({ start: "2024-02-01", end: "2024-02-29" });
    expect(parseDayRange("2026-01-05", "month-first")).toEqual({ start: "2026-01-05", end: "2026-01-05" });
  });

  it("refuses a range that ends before it starts, and text", () => {
    expect(parseDayRange("2026-01-11 - 2026-01-05", "month-first")).toBeNull();
    expect(parseDayRange("All time", "month-first")).toBeNull();
  });
});

describe("calendar helpers", () => {
  it("follow the Gregorian leap-year rule", () => {
    expect([1900, 2000, 2024, 2026].map((y) => daysInMonth(y, 2))).toEqual([28, 29, 29, 28]);
    expect(addDays("2026-01-05", 6)).toBe("2026-01-11");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(endOfMonth("2026-02-10")).toBe("2026-02-28");
  });
});

describe("DateOrderVote", () => {
  it("decides day-first when a first part exceeds 12", () => {
    const v = new DateOrderVote();
    v.add("01/02/2026", 2);
    expect(v.decided).toBe(false);
    v.add("13/02/2026", 3);
    expect(v.decided).toBe(true);
    expect(v.order).toBe("day-first");
    const evidence = v.explain();
    expect(evidence).toEqual({ code: "only", order: "day-first", example: { text: "13/02/2026", line: 3 } });
    expect(dateOrderUncertain(evidence!)).toBe(false);
    expect(dateOrderText(evidence!)).toBe("Dates were read day-first (DD/MM/YYYY): 13/02/2026 on line 3 can only be day-first.");
  });

  it("decides month-first when a second part exceeds 12", () => {
    const v = new DateOrderVote();
    v.add("1/13/2026", null);
    expect(v.order).toBe("month-first");
    expect(dateOrderText(v.explain()!)).toMatch(/near the end of the file/);
  });

  it("guesses month-first when every date reads both ways, and says it is a guess", () => {
    const v = new DateOrderVote();
    v.add("01/02/2026", 2);
    v.add("03/04/2026", 3);
    expect(v.seen).toBe(true);
    expect(v.decided).toBe(false);
    expect(v.order).toBe("month-first");
    const evidence = v.explain();
    expect(evidence).toEqual({ code: "guessed", example: { text: "01/02/2026", line: 2 } });
    expect(dateOrderUncertain(evidence!)).toBe(true);
    expect(dateOrderText(evidence!)).toBe(
      "Every date in the file (e.g. 01/02/2026 on line 2) reads both day-first and month-first; they were read " +
        "month-first (MM/DD/YYYY). Check the period if your dates are day-first.",
    );
  });

  it("ignores ISO and dotted dates, and same-part dates", () => {
    const v = new DateOrderVote();
    v.add("2026-01-05", 2);
    v.add("2026-01-05 - 2026-01-11", 3);
    v.add("05.01.2026", 4);
    v.add("05/05/2026", 5);
    expect(v.seen).toBe(false);
    expect(v.explain()).toBeNull();
  });
});
