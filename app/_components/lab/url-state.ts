/**
 * Compact URL state: JSON as base64url (RFC 4648 section 5), UTF-8 safe, for a model spec in a shareable link.
 * Works in the browser and on the server (btoa/atob and TextEncoder are global in both).
 */
export function encodeState(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The value of `encodeState`, or null when the text is not base64url JSON (a hand-edited or truncated link). */
export function decodeState(text: string | undefined | null): unknown {
  if (!text || text.length > 200_000 || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return null;
  }
}

/** First value of a search param. */
export function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
