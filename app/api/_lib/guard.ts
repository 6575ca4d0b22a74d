import "server-only";
import { env } from "@/lib/env";
import { errorResponse } from "@/app/api/_lib/http";
import { checkOrigin, isAllowedHost, NON_PAGE_CSP, SECURITY_HEADERS } from "@/app/api/_lib/security";

/**
 * proxy.ts's checks, for the routes it does not run on. Next buffers a request's whole body in memory for a proxy
 * and cuts it silently past `proxyClientMaxBodySize` (10 MB by default): a streamed upload of hundreds of megabytes
 * must not go through it. Such routes are excluded from the proxy's matcher and wrapped with `guarded` instead:
 * the same Host check (421), the same cross-site refusal (403), the same headers.
 */
export function guarded<A extends unknown[]>(
  handler: (request: Request, ...rest: A) => Promise<Response>,
): (request: Request, ...rest: A) => Promise<Response> {
  return async (request, ...rest) => {
    let res: Response;
    if (!isAllowedHost(request.headers.get("host"), env.ALLOWED_HOSTS)) {
      res = errorResponse(
        "misdirected",
        "This server does not answer to that host name. To reach it by another name, add the name to ALLOWED_HOSTS.",
      );
    } else {
      const origin = checkOrigin(request.method, request.headers);
      res = origin.ok
        ? await handler(request, ...rest)
        : errorResponse("cross_site", `Refused: this request was ${origin.reason}. Use noisefloor's own pages, the CLI or the API.`);
    }
    res.headers.set("Content-Security-Policy", NON_PAGE_CSP);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.headers.set(k, v);
    return res;
  };
}
