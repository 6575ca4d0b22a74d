import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findDeadExports } from "@/tests/ci/dead-exports";

// A small project written to a temporary folder: each file exercises one way an export is used or not.
const FILES: Record<string, string> = {
  "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, module: "esnext", moduleResolution: "bundler", noEmit: true }, include: ["**/*.ts"] }),
  "lib/a.ts": [
    "export const usedByB = 1;",
    "export const neverUsed = 2;",
    "export function onlyHere() { return 3; }",
    "export type OnlyHereType = { x: number };",
    "export type NeverUsedType = string;",
    "export const viaBarrel = 4;",
    "export const viaDynamic = 5;",
    "export const notDestructured = 6;",
    "const local: OnlyHereType = { x: onlyHere() };",
    "void local;",
  ].join("\n"),
  "lib/barrel.ts": 'export { viaBarrel } from "./a";\nexport * from "./star";\n',
  "lib/star.ts": "export const starUsed = 7;\nexport const starUnused = 8;\n",
  "lib/ns.ts": "export const nsOne = 9;\nexport const nsTwo = 10;\n",
  "lib/lazy.ts": "export const lazyOne = 11;\n",
  "lib/b.ts": [
    'import { usedByB } from "./a";',
    'import { viaBarrel, starUsed } from "./barrel";',
    'import * as ns from "./ns";',
    "export async function run() {",
    '  const { viaDynamic } = await import("./a");',
    '  const lazy = await import("./lazy");',
    "  return usedByB + viaBarrel + starUsed + ns.nsOne + viaDynamic + lazy.lazyOne;",
    "}",
  ].join("\n"),
  "app/page.ts": 'import { run } from "../lib/b";\nexport default run;\nexport const dynamic = "force-dynamic";\n',
};

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "dead-exports-"));
  for (const [name, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("findDeadExports", () => {
  it("lists the exports no other file imports, values used only in their own file, and nothing else", () => {
    const { dead, stale } = findDeadExports(root, []);
    expect(dead).toEqual(["lib/a.ts:NeverUsedType", "lib/a.ts:neverUsed", "lib/a.ts:notDestructured", "lib/a.ts:onlyHere", "lib/star.ts:starUnused"]);
    expect(stale).toEqual([]);
  });

  it("treats the exports of a Next.js route file as used (the default entries), and reports them when it is not an entry", () => {
    expect(findDeadExports(root, []).dead.filter((k) => k.startsWith("app/"))).toEqual([]);
    expect(findDeadExports(root, [], []).dead).toEqual(expect.arrayContaining(["app/page.ts:default", "app/page.ts:dynamic"]));
  });

  it("accepts a listed export and fails a listed one that is used, or gone", () => {
    const reason = "public on purpose";
    const { dead, stale } = findDeadExports(
      root,
      [
        { file: "lib/a.ts", name: "neverUsed", reason },
        { file: "lib/a.ts", name: "usedByB", reason },
        { file: "lib/a.ts", name: "removedLongAgo", reason },
      ],
    );
    expect(dead).not.toContain("lib/a.ts:neverUsed");
    expect(stale).toEqual(["lib/a.ts:removedLongAgo (no such export)", "lib/a.ts:usedByB"]);
  });
});
