import http from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openBrowser, type Session } from "./browser";

const baseUrl = inject("baseUrl");
const chromiumPath = inject("chromiumPath");

/** A raw HTTP request, so that Host, Origin and Sec-Fetch-* are exactly what a test says (fetch would fix some). */
function raw(
  method: string,
  pathname: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: pathname, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const datasetCount = async (): Promise<number> =>
  ((await (await fetch(`${baseUrl}/api/datasets`)).json()) as { datasets: unknown[] }).datasets.length;

describe.skipIf(!chromiumPath)("no other site gets in", () => {
  const own = () => new URL(baseUrl).host;

  it("answers 421 with the error body to a Host header it is not meant to answer to (DNS rebinding)", async () => {
    for (const [method, p] of [
      ["GET", "/api/datasets"],
      ["GET", "/"],
      ["DELETE", "/api/datasets/1"],
    ] as const) {
      const r = await raw(method, p, { Host: "attacker.example" });
      expect(r.status, `${method} ${p}`).toBe(421);
      expect((JSON.parse(r.body) as { error: { code: string } }).error.code).toBe("misdirected");
    }
    expect((await raw("GET", "/api/datasets", { Host: `localhost:${new URL(baseUrl).port}` })).status).toBe(200);
    expect((await raw("GET", "/api/datasets", { Host: own() })).status).toBe(200);
  });

  it("refuses a cross-site text/plain POST (a form any page can send) and creates nothing", async () => {
    const before = await datasetCount();
    const csv = "date,campaign,impressions,clicks,conversions,spend,revenue\n2026-03-02,X,100,10,1,5.00,20.00\n";
    const cross = { Host: own(), Origin: "https://attacker.example", "Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain" };
    const upload = await raw("POST", "/api/uploads?fileName=x.csv", cross, csv);
    expect(upload.status).toBe(403);
    expect((JSON.parse(upload.body) as { error: { code: string } }).error.code).toBe("cross_site");
    expect((await raw("POST", "/api/sample", cross, "")).status).toBe(403);
    expect((await raw("DELETE", "/api/datasets/1", cross)).status).toBe(403);
    // Another server on this machine (another port) is another site too.
    const otherPort = { Host: own(), Origin: "http://127.0.0.1:1", "Content-Type": "text/plain" };
    expect((await raw("POST", "/api/sample", otherPort, "")).status).toBe(403);
    expect(await datasetCount()).toBe(before);
  });

  it("accepts the same POST from its own origin and from a client that sends no Origin (CLI, curl)", async () => {
    const spec = JSON.stringify({ frequency: { kind: "poisson", lambda: 2 }, severity: { kind: "constant", value: 10 } });
    const same = await raw("POST", "/api/model", { Host: own(), Origin: baseUrl, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json" }, spec);
    expect(same.status).toBe(200);
    // Poisson(2) orders of 10 each: mean 20, sd 10 sqrt(2) (closed forms; the lattice at step 10 is exact here).
    expect((JSON.parse(same.body) as { mean: number }).mean).toBeCloseTo(20, 9);
    const cli = await raw("POST", "/api/model", { Host: own(), "Content-Type": "application/json" }, spec);
    expect(cli.status).toBe(200);
  });

  it("sends the security headers on pages, API answers and static files", async () => {
    const page = await raw("GET", "/upload", { Host: own() });
    const html = page.body;
    const script = html.match(/<script[^>]*src="(\/_next\/static\/[^"]+)"/)?.[1];
    expect(script).toBeTruthy();
    const responses = {
      page,
      api: await raw("GET", "/api/datasets", { Host: own() }),
      error: await raw("GET", "/api/datasets/999999", { Host: own() }),
      asset: await raw("GET", script!, { Host: own() }),
    };
    for (const [what, r] of Object.entries(responses)) {
      expect(r.headers["x-content-type-options"], what).toBe("nosniff");
      expect(r.headers["content-security-policy"], what).toContain("frame-ancestors 'none'");
      expect(r.headers["referrer-policy"], what).toBe("same-origin");
      expect(r.headers["x-frame-options"], what).toBe("DENY");
    }
    // The page's CSP names a nonce, and every inline and external script of the page carries it.
    const nonce = /'nonce-([^']+)'/.exec(String(page.headers["content-security-policy"]))?.[1];
    expect(nonce).toBeTruthy();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);
    // Two requests, two nonces.
    const again = await raw("GET", "/upload", { Host: own() });
    expect(again.headers["content-security-policy"]).not.toBe(page.headers["content-security-policy"]);
  });

  it("keeps pages that show a user's data out of shared caches", async () => {
    for (const p of ["/", "/upload", "/datasets", "/datasets/1", "/reports/1", "/pooling"]) {
      const r = await raw("GET", p, { Host: own() });
      const cc = String(r.headers["cache-control"] ?? "");
      expect(cc, p).not.toMatch(/s-maxage|public/);
      expect(cc, p).toMatch(/private|no-store/);
    }
  });
});

describe.skipIf(!chromiumPath)("every page runs under its CSP", () => {
  let s: Session;
  const violations: string[] = [];
  let campaignPath = "";

  beforeAll(async () => {
    s = await openBrowser(chromiumPath);
    await s.page.exposeFunction("__cspViolation", (v: string) => violations.push(`${s.page.url()}: ${v}`));
    await s.context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        (window as unknown as { __cspViolation: (v: string) => void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    const list = (await (await fetch(`${baseUrl}/api/datasets`)).json()) as { datasets: { id: number; kind: string; isSample: boolean }[] };
    const id = list.datasets.find((d) => d.isSample && d.kind === "observations")?.id ?? 1;
    const analysis = (await (await fetch(`${baseUrl}/api/datasets/${id}/analysis`)).json()) as { campaigns: { campaign: string }[] };
    campaignPath = `/datasets/${id}/campaigns/${encodeURIComponent(analysis.campaigns[0]?.campaign ?? "")}`;
  });

  afterAll(async () => {
    await s?.close();
  });

  it("loads /, /upload, a dataset, a campaign, a report, the labs, the calculator and the analogies with no console error", async () => {
    const pages = ["/", "/upload", "/datasets/1", campaignPath, "/reports/1", "/pooling", "/collar", "/calculator", "/analogies"];
    for (const p of pages) {
      const before = s.errors.length;
      const res = await s.page.goto(`${baseUrl}${p}`, { waitUntil: "networkidle" });
      expect(res?.status(), p).toBe(200);
      // Hydrated: React attached to the page (its scripts ran under the CSP).
      await expect
        .poll(() => s.page.evaluate(() => Object.keys(document.querySelector("main") ?? {}).some((k) => k.startsWith("__react"))), { timeout: 20_000 })
        .toBe(true);
      expect(s.errors.slice(before), p).toEqual([]);
    }
    expect(violations).toEqual([]);
  });

  it("blocks script the page did not nonce (the policy is enforced, not only sent)", async () => {
    await s.page.goto(`${baseUrl}/`, { waitUntil: "networkidle" });
    // What an injected `<img onerror>` would do: an inline handler, which no nonce covers.
    await s.page.evaluate(() => {
      const wrap = document.createElement("div");
      wrap.innerHTML = '<img src="/no-such-image.png" onerror="window.__injected = true">';
      document.body.appendChild(wrap);
    });
    await new Promise((r) => setTimeout(r, 500));
    const ran = await s.page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected === true);
    expect(ran).toBe(false);
    expect(violations.some((v) => v.includes(": script-src"))).toBe(true);
    violations.length = 0;
    s.errors.length = 0;
  });
});
