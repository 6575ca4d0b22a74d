/**
 * The engine imports nothing of the app: every module under lib/engine reads only other engine modules and
 * numerical packages; lib/engine/contract.ts alone may import the app's errors (it maps the engine's RangeError to
 * AppError, see its module doc). Import specifiers are read from the source text of every file.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  asAppError,
  estimateCampaign as estimateCampaignChecked,
  holdingDistribution as holdingDistributionChecked,
  refuseInvalid,
} from "@/lib/engine/contract";
import { estimateCampaign } from "@/lib/engine/estimate";
import { holdingDistribution } from "@/lib/engine/holding";
import { pooledShare } from "@/lib/engine/pool";
import { poisson } from "@/lib/engine/frequency";
import { lognormalSeverity } from "@/lib/engine/severity";
import { HTTP_STATUS, isAppError } from "@/lib/errors";

const ROOT = path.resolve(__dirname, "../../..");
const ENGINE = path.join(ROOT, "lib/engine");
/** What contract.ts may import from outside the engine. */
const CONTRACT_MAY = new Set(["@/lib/errors"]);
/** Packages that would tie the engine to the server, the database or the interface. */
const APP_PACKAGES = /^(node:|server-only$|next(\/|$)|react(-dom)?(\/|$)|better-sqlite3$|drizzle-orm(\/|$)|piscina$)/;

function engineFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return engineFiles(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

/** Every module specifier of a source text: import/export ... from "x", import "x", import("x"), require("x"). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const patterns = [/\b(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1] as string);
  return out;
}

/** Why a specifier of `file` leaves the engine, or null when it stays inside. */
function outside(file: string, spec: string): string | null {
  if (spec.startsWith(".")) {
    const target = path.resolve(path.dirname(file), spec);
    return target === ENGINE || target.startsWith(ENGINE + path.sep) ? null : "a relative path out of lib/engine";
  }
  if (spec.startsWith("@/")) return spec === "@/lib/engine" || spec.startsWith("@/lib/engine/") ? null : "an app module";
  return APP_PACKAGES.test(spec) ? "a server or interface package" : null;
}

describe("engine boundary", () => {
  const files = engineFiles(ENGINE);

  it("finds the engine's modules and reads their imports", () => {
    expect(files.length).toBeGreaterThan(20);
    expect(specifiers('import { a } from "./x";\nimport type { B } from "@/lib/errors";\nexport * from "../y";\nimport "server-only";\nconst m = await import("@/db/client");')).toEqual([
      "./x",
      "@/lib/errors",
      "../y",
      "server-only",
      "@/db/client",
    ]);
  });

  it("has no module (other than contract.ts) that imports outside lib/engine, and contract.ts only the app's errors", () => {
    const offences: string[] = [];
    for (const file of files) {
      const rel = path.relative(ROOT, file);
      for (const spec of specifiers(fs.readFileSync(file, "utf8"))) {
        const why = outside(file, spec);
        if (why === null) continue;
        if (rel === path.join("lib", "engine", "contract.ts") && CONTRACT_MAY.has(spec)) continue;
        offences.push(`${rel} imports ${spec} (${why})`);
      }
    }
    expect(offences).toEqual([]);
  });
});

describe("engine failures become the app's", () => {
  const severity = lognormalSeverity(4, 1);

  it("turns an engine RangeError into a 400 AppError with the same message", () => {
    let engineError: unknown;
    try {
      pooledShare({ frequency: poisson(5), severity, k: 0 });
    } catch (e) {
      engineError = e;
    }
    expect(engineError).toBeInstanceOf(RangeError);
    expect(isAppError(engineError)).toBe(false);
    try {
      refuseInvalid(() => pooledShare({ frequency: poisson(5), severity, k: 0 }));
      expect.unreachable("should have thrown");
    } catch (e) {
      expect(isAppError(e) && e.code).toBe("invalid_body");
      expect(isAppError(e) && HTTP_STATUS[e.code]).toBe(400);
      expect((e as Error).message).toBe((engineError as Error).message);
    }
  });

  it("leaves other failures as they are", () => {
    const other = new TypeError("not an engine refusal");
    expect(asAppError(other)).toBe(other);
    expect(refuseInvalid(() => 42)).toBe(42);
  });

  it("refuses invalid estimation input with RangeError in the engine and AppError through the contract", () => {
    const bad = { campaign: "", days: [] };
    expect(() => estimateCampaign(bad)).toThrow(RangeError);
    expect(() => estimateCampaignChecked(bad)).toThrow(/^Invalid campaign/);
    try {
      estimateCampaignChecked(bad);
    } catch (e) {
      expect(isAppError(e) && e.code).toBe("invalid_body");
    }
  });

  it("refuses a holding horizon out of range with RangeError in the engine and AppError through the contract", () => {
    expect(() => holdingDistribution([0.01, -0.01], { days: 0 })).toThrow(RangeError);
    try {
      holdingDistributionChecked([0.01, -0.01], { days: 0 });
      expect.unreachable("should have thrown");
    } catch (e) {
      expect(isAppError(e) && e.code).toBe("invalid_body");
      expect((e as Error).message).toMatch(/whole number of days/);
    }
  });
});
