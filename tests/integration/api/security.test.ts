import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { NextRequest } from "next/server";
import type * as ProxyModule from "@/proxy";
import type * as UploadsRoute from "@/app/api/uploads/route";
import { checkOrigin, isAllowedHost, makeNonce, pageCsp, parseHost } from "@/app/api/_lib/security";

vi.stubEnv("ALLOWED_HOSTS", "noisefloor.lan, 10.0.0.5:8080");
let proxyModule: typeof ProxyModule;
let uploads: typeof UploadsRoute;
let NextRequestCtor: typeof NextRequest;

beforeAll(async () => {
  proxyModule = await import("@/proxy");
  uploads = await import("@/app/api/uploads/route");
  NextRequestCtor = (await import("next/server")).NextRequest;
});
afterAll(() => vi.unstubAllEnvs());

const hdrs = (h: Record<string, string>) => new Headers(h);

describe("Host check", () => {
  it("answers to loopback names on any port and to the configured names", () => {
    for (const h of ["localhost", "localhost:3000", "127.0.0.1:49152", "[::1]:3000", "LOCALHOST:3000", "localhost.:3000"]) {
      expect(isAllowedHost(h, []), h).toBe(true);
    }
    expect(isAllowedHost("noisefloor.lan:3000", ["noisefloor.lan"])).toBe(true);
    expect(isAllowedHost("10.0.0.5:8080", ["10.0.0.5:8080"])).toBe(true);
  });

  it("lets a request with no Host header through (no browser sends one without it)", () => {
    expect(isAllowedHost(null, [])).toBe(true);
  });

  it("refuses other names, a configured name on another port, and malformed hosts", () => {
    for (const h of ["attacker.example", "attacker.example:3000", "localhost.attacker.example", "127.0.0.1.nip.io:3000", "evil@localhost", "a b"]) {
      expect(isAllowedHost(h, ["noisefloor.lan"]), h).toBe(false);
    }
    expect(isAllowedHost("10.0.0.5:3000", ["10.0.0.5:8080"])).toBe(false);
    expect(isAllowedHost("", [])).toBe(false);
    expect(parseHost("[::1]:3000")).toEqual({ name: "[::1]", port: "3000" });
  });
});

describe("Origin check on state-changing requests", () => {
  const host = { host: "localhost:3000" };
  it("lets reads through whatever their origin", () => {
    expect(checkOrigin("GET", hdrs({ ...host, origin: "https://attacker.example", "sec-fetch-site": "cross-site" })).ok).toBe(true);
  });

  it("accepts this origin, and clients that send no Origin (CLI, curl)", () => {
    expect(checkOrigin("POST", hdrs({ ...host, origin: "http://localhost:3000", "sec-fetch-site": "same-origin" })).ok).toBe(true);
    expect(checkOrigin("DELETE", hdrs({ ...host, origin: "http://localhost:3000" })).ok).toBe(true);
    expect(checkOrigin("POST", hdrs(host)).ok).toBe(true);
  });

  it("refuses another site, another local port, a null origin and a cross-site fetch without Origin", () => {
    const bad = [
      { ...host, origin: "https://attacker.example", "sec-fetch-site": "cross-site" },
      { ...host, origin: "https://attacker.example" },
      { ...host, origin: "http://localhost:8000" }, // another local server is another origin
      { ...host, origin: "http://localhost:8000", "sec-fetch-site": "same-site" },
      { ...host, origin: "null" },
      { ...host, "sec-fetch-site": "cross-site" },
      { ...host, origin: "http://127.0.0.1:3000" }, // a different name for the same server is still another origin
    ];
    for (const h of bad) expect(checkOrigin("POST", hdrs(h)).ok, JSON.stringify(h)).toBe(false);
    expect(checkOrigin("PUT", hdrs(bad[0]!)).ok).toBe(false);
    expect(checkOrigin("PATCH", hdrs(bad[0]!)).ok).toBe(false);
  });
});

describe("CSP", () => {
  it("gives each response its own nonce and names it in script-src, with no unsafe-inline scripts", () => {
    const a = makeNonce();
    const b = makeNonce();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    const csp = pageCsp(a);
    expect(csp).toContain(`script-src 'self' 'nonce-${a}' 'strict-dynamic'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp.split(";").find((d) => d.trim().startsWith("script-src"))).not.toContain("unsafe-inline");
  });
});

describe("proxy", () => {
  const req = (url: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    new NextRequestCtor(url, { method: init.method ?? "GET", headers: init.headers });

  it("answers 421 with the error body to a foreign Host header", async () => {
    const res = proxyModule.proxy(req("http://localhost:3000/api/datasets", { headers: { host: "attacker.example" } }));
    expect(res.status).toBe(421);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("misdirected");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers 403 to a cross-site text/plain POST (the form a page can send without a preflight)", async () => {
    const res = proxyModule.proxy(
      req("http://localhost:3000/api/sample", {
        method: "POST",
        headers: { host: "localhost:3000", origin: "https://attacker.example", "content-type": "text/plain", "sec-fetch-site": "cross-site" },
      }),
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("cross_site");
  });

  it("passes a page request on with a nonce'd CSP on the request (for Next) and on the response", () => {
    const res = proxyModule.proxy(req("http://localhost:3000/upload", { headers: { host: "localhost:3000" } }));
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/'nonce-[A-Za-z0-9+/=]{24}'/);
    // NextResponse.next carries overridden request headers as x-middleware-request-* for the server to apply.
    expect(res.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
  });

  it("passes a configured host and a same-origin POST", () => {
    const res = proxyModule.proxy(
      req("http://noisefloor.lan:3000/api/sample", { method: "POST", headers: { host: "noisefloor.lan:3000", origin: "http://noisefloor.lan:3000" } }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});

describe("POST /api/uploads (outside the proxy, which would cut its body at 10 MB)", () => {
  const csv = "date,campaign,impressions,clicks,conversions,spend,revenue\n2026-03-02,X,100,10,1,5.00,20.00\n";
  const post = (headers: Record<string, string>) =>
    uploads.POST(new Request("http://localhost:3000/api/uploads?fileName=x.csv", { method: "POST", body: csv, headers }));

  it("runs the proxy's checks itself: a cross-site POST gets 403 and a foreign Host 421, with the headers", async () => {
    const cross = await post({ host: "localhost:3000", origin: "https://attacker.example", "content-type": "text/plain" });
    expect(cross.status).toBe(403);
    expect(((await cross.json()) as { error: { code: string } }).error.code).toBe("cross_site");
    expect(cross.headers.get("x-content-type-options")).toBe("nosniff");
    const rebound = await post({ host: "attacker.example" });
    expect(rebound.status).toBe(421);
    expect(rebound.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("is left out of the proxy's matcher, and only it", () => {
    const source = proxyModule.config.matcher[0]!;
    const re = new RegExp(`^${source}$`);
    expect(re.test("/api/uploads")).toBe(false);
    for (const p of ["/api/uploads/progress", "/api/uploads/abc/import", "/api/datasets", "/", "/upload", "/_next/static/x.js"]) {
      expect(re.test(p), p).toBe(true);
    }
  });
});
