import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import type { ErrorCode } from "@/lib/errors";
import {
  checkOrigin,
  isAllowedHost,
  makeNonce,
  NON_PAGE_CSP,
  pageCsp,
  SECURITY_HEADERS,
} from "@/app/api/_lib/security";

/*
 * Runs before every request (Next 16's proxy, the Node.js runtime):
 * 1. the Host header must name this server (loopback or ALLOWED_HOSTS), else 421: DNS rebinding stops here;
 * 2. POST/PUT/PATCH/DELETE must come from this origin or from a non-browser client, else 403 (app/api/_lib/security.ts);
 * 3. every response gets the security headers; pages get a Content-Security-Policy with a fresh nonce, which Next
 *    reads from the request's CSP header and puts on its own scripts (the root layout renders per request for it).
 * GET requests are otherwise untouched. POST /api/uploads is not matched (see `config`) and checks itself.
 */

function refuse(code: Extract<ErrorCode, "misdirected" | "cross_site">, status: number, message: string): NextResponse {
  const res = NextResponse.json({ error: { code, message } }, { status, headers: { "Cache-Control": "no-store" } });
  res.headers.set("Content-Security-Policy", NON_PAGE_CSP);
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.headers.set(k, v);
  return res;
}

const isPage = (pathname: string): boolean => !pathname.startsWith("/api/") && !pathname.startsWith("/_next/static/");

export function proxy(request: NextRequest): NextResponse {
  if (!isAllowedHost(request.headers.get("host"), env.ALLOWED_HOSTS)) {
    return refuse(
      "misdirected",
      421,
      "This server does not answer to that host name. To reach it by another name, add the name to ALLOWED_HOSTS.",
    );
  }
  const origin = checkOrigin(request.method, request.headers);
  if (!origin.ok) {
    return refuse("cross_site", 403, `Refused: this request was ${origin.reason}. Use noisefloor's own pages, the CLI or the API.`);
  }

  let res: NextResponse;
  if (isPage(request.nextUrl.pathname)) {
    const csp = pageCsp(makeNonce(), env.NODE_ENV === "development");
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("Content-Security-Policy", csp);
    res = NextResponse.next({ request: { headers: requestHeaders } });
    res.headers.set("Content-Security-Policy", csp);
  } else {
    res = NextResponse.next();
    res.headers.set("Content-Security-Policy", NON_PAGE_CSP);
  }
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.headers.set(k, v);
  return res;
}

/**
 * Every path but POST /api/uploads: Next buffers the body of every request a proxy sees and cuts it silently past
 * 10 MB (`proxyClientMaxBodySize`); an upload streams up to UPLOAD_MAX_MB. That route runs the same checks itself
 * (app/api/_lib/guard.ts). Its sub-routes (detect, import: small JSON bodies) stay here.
 */
export const config = {
  matcher: ["/((?!api/uploads$).*)"],
};
