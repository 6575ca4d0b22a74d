/**
 * The HTTP layer's guards, as pure functions of a request's headers (proxy.ts applies them to every request):
 * which Host names the server answers to, which state-changing requests it accepts, and the security headers every
 * response carries. No I/O; unit-testable without a server.
 */

/** Names the server always answers to: the loopback addresses and localhost. */
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"] as const;

/** Methods that change state; every other method is read-only in this app. */
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Splits a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`) into a lower-case name and a port (or null). */
export function parseHost(host: string): { name: string; port: string | null } | null {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::([0-9]{1,5}))?$/.exec(host.trim().toLowerCase());
  if (!m) return null;
  const name = m[1]!.replace(/\.$/, ""); // "localhost." is localhost
  return { name, port: m[2] ?? null };
}

/**
 * Whether a Host header names this server: one of LOOPBACK_HOSTS on any port, or an ALLOWED_HOSTS entry (an entry
 * with a port matches that port only). This is what stops DNS rebinding: a page on attacker.example whose name now
 * resolves to 127.0.0.1 still sends `Host: attacker.example`. A malformed or empty Host is refused. A request with
 * no Host header at all passes (`null`): every browser sends one, so a page cannot make such a request; only
 * HTTP/1.0 clients and in-process calls do (Node answers an HTTP/1.1 request without Host with 400 itself).
 */
export function isAllowedHost(host: string | null, allowed: readonly string[]): boolean {
  if (host === null) return true;
  const h = parseHost(host);
  if (!h) return false;
  if ((LOOPBACK_HOSTS as readonly string[]).includes(h.name)) return true;
  return allowed.some((entry) => {
    const a = parseHost(entry);
    return a !== null && a.name === h.name && (a.port === null || a.port === h.port);
  });
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether a request may change state, judged from the headers browsers attach and pages cannot forge:
 * - read-only methods (GET, HEAD, OPTIONS) always pass: nothing changes;
 * - `Sec-Fetch-Site: cross-site` or `same-site` is refused (same-site includes another port on localhost, i.e. any
 *   other local web server); `same-origin` and `none` (the user's own action) pass that test;
 * - an `Origin` header must be this server's own origin (scheme-less comparison of host and port with the Host
 *   header, which has already been checked); `Origin: null` (sandboxed frames, some redirects) is refused;
 * - a request with neither header passes: browsers send Origin on every POST/PUT/PATCH/DELETE (since Chrome 76,
 *   Firefox 70, Safari 13), so its absence means a non-browser client (the CLI, curl, a script), which could send
 *   any header it liked anyway and is not the threat here.
 */
export function checkOrigin(method: string, headers: { get(name: string): string | null }): OriginVerdict {
  if (!STATE_CHANGING.has(method.toUpperCase())) return { ok: true };
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    return { ok: false, reason: `sent by another site's page (Sec-Fetch-Site: ${site.slice(0, 20)})` };
  }
  const origin = headers.get("origin");
  if (origin === null) return { ok: true };
  const host = headers.get("host");
  let originHost: string;
  try {
    const u = new URL(origin);
    if (u.protocol !== "http:" && u.protocol !== "https:") return { ok: false, reason: "sent from a page with no web origin" };
    originHost = u.host;
  } catch {
    return { ok: false, reason: "sent from a page with no web origin" };
  }
  const a = host ? parseHost(host) : null;
  const b = parseHost(originHost);
  if (!a || !b || a.name !== b.name || normalisedPort(a.port, origin) !== normalisedPort(b.port, origin)) {
    return { ok: false, reason: "sent by another site's page" };
  }
  return { ok: true };
}

function normalisedPort(port: string | null, origin: string): string {
  if (port !== null) return port;
  return origin.startsWith("https:") ? "443" : "80";
}

/** A fresh CSP nonce: 16 random bytes, base64 (Web Crypto, available in Node and in the proxy). */
export function makeNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The Content-Security-Policy of a page: scripts only from this origin with this response's nonce ('strict-dynamic'
 * lets Next's nonce'd loader pull its chunks), styles from this origin or nonce'd, style attributes allowed (charts set
 * inline positions; an attribute cannot run code), images from this origin and data:/blob: (chart exports), requests
 * only to this origin, no plugins, no <base> hijack, forms only to this origin, and no framing by any site.
 * `dev` adds 'unsafe-eval', which React's development build needs for its error overlays.
 */
export function pageCsp(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The CSP of everything that is not a page (API JSON, CSV downloads, static files): nothing may run or frame it. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers on every response, besides the CSP. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  // Another site's page cannot embed this server's responses (<script src>, <img src>) to read them.
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
};
