/** A dataset id as it arrives in a route segment, a query or a command-line argument: 1 to 16 digits, no leading 0. */
const ID_PATTERN = /^[1-9][0-9]{0,15}$/;

/**
 * The one id parser of pages, API routes and the command line: the positive integer a text holds ("1", "42"), or
 * null when it is not one (empty, signed, decimal, leading zero, past Number.MAX_SAFE_INTEGER).
 * @example parseDatasetId("42") // returns 42
 * @example parseDatasetId("042") // returns null
 */
export function parseDatasetId(raw: string | undefined): number | null {
  if (raw === undefined || !ID_PATTERN.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : null;
}
