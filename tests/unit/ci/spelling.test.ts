/**
 * One spelling of a word across the code, the API and the docs: "analyze" and "annualized" (the CLI's `analyze`
 * command, the API's `annualizedVolatility`), never "analyse" or "annualised". "analyses", the plural noun, is
 * spelled the same either way and is allowed.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
const FOLDERS = ["app", "lib", "db", "tests", "sample-data"];
const FILES = ["README.md"];
const SOURCE = /\.(ts|tsx|mjs|cjs|md)$/;
/**
 * The other spelling of each kept word: a verb form of analyse, alone or starting a name (not the noun
 * "analyses"), and any form of annualise.
 */
const OTHER = [/\b[Aa]nalys(e|ed|ing|er)(?![a-z])/g, /[Aa]nnualis/g];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (SOURCE.test(e.name)) out.push(p);
  }
  return out;
}

/** "file:line: word" for every use of the other spelling in `text`. */
function otherSpellings(file: string, text: string): string[] {
  const found: string[] = [];
  text.split("\n").forEach((line, i) => {
    for (const re of OTHER) for (const m of line.matchAll(re)) found.push(`${file}:${i + 1}: ${m[0]}`);
  });
  return found;
}

describe("spelling", () => {
  it("finds the other spelling where it is, and lets the plural noun through", () => {
    expect(otherSpellings("x.ts", "function analyseCampaign() {}\nconst analysed = 1;\n// annualised vol")).toEqual([
      "x.ts:1: analyse",
      "x.ts:2: analysed",
      "x.ts:3: annualis",
    ]);
    expect(otherSpellings("x.ts", "// two analyses of a campaign; analyzeDataset; annualizedVolatility")).toEqual([]);
  });

  it("keeps one spelling of analyze and annualized in the project", () => {
    const all = [...FOLDERS.flatMap((f) => files(path.join(ROOT, f))), ...FILES.map((f) => path.join(ROOT, f))];
    // this file names the other spellings on purpose
    const found = all.filter((f) => f !== __filename).flatMap((f) => otherSpellings(path.relative(ROOT, f), fs.readFileSync(f, "utf8")));
    expect(found).toEqual([]);
  });
});
