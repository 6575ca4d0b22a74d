/**
 * The date a dataset's (or one upload's) ages are counted from: the later of its newest day and the day before it
 * was uploaded. An export cannot be newer than its upload, and its days keep maturing until it is taken: a report of
 * last month uploaded today holds complete days, while an export ending yesterday holds a provisional yesterday.
 * Both readings agree when the file is uploaded the day after its newest date, the usual case.
 */

const ISO_START = /^\d{4}-\d{2}-\d{2}/;

/** The ISO date one day before an ISO date. @example dayBefore("2026-03-01") // "2026-02-28" */
function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/**
 * The as-of date: the later of `newest` (ISO date) and the day before `uploadedAt` (ISO timestamp); null without a
 * newest date. @example asOfDate("2026-03-01", "2026-03-10T08:00:00Z") // "2026-03-09"
 */
export function asOfDate(newest: string | null, uploadedAt: string | null): string | null {
  if (newest === null) return null;
  const before = uploadedAt !== null && ISO_START.test(uploadedAt) ? dayBefore(uploadedAt.slice(0, 10)) : null;
  return before !== null && before > newest ? before : newest;
}
