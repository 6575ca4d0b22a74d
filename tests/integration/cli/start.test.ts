import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The command line's start (lib/cli/run.cjs) in a copy of the project's sources: the first call builds, the next
 * ones reuse the build and V8's code cache, and a changed source is built again before it runs.
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "noisefloor-cli");
let copy: string;

function cli(args: string[]): string {
  return execFileSync(process.execPath, [path.join(copy, "lib", "cli", "run.cjs"), ...args], {
    cwd: copy,
    env: { ...process.env, DATABASE_PATH: path.join(copy, "data", "test.db") },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The copy's pointer: which build folder its calls run. */
function pointer(): { dir: string; inputs: string[] } | null {
  if (!fs.existsSync(CACHE)) return null; // a fresh checkout: nothing built yet
  for (const name of fs.readdirSync(CACHE)) {
    if (!/^current-[0-9a-f]{8}\.json$/.test(name)) continue;
    const p = JSON.parse(fs.readFileSync(path.join(CACHE, name), "utf8"));
    if (p.root === copy) return p;
  }
  return null;
}

beforeAll(() => {
  copy = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-cli-")));
  for (const entry of ["lib", "db", "drizzle", "tsconfig.json", "package.json", "package-lock.json"]) {
    fs.cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
});

afterAll(() => {
  const p = pointer();
  for (const name of fs.existsSync(CACHE) ? fs.readdirSync(CACHE) : []) {
    const file = path.join(CACHE, name);
    if (name.startsWith("current-") && name.endsWith(".json") && JSON.parse(fs.readFileSync(file, "utf8")).root === copy) {
      fs.rmSync(file, { force: true });
    }
  }
  if (p) fs.rmSync(path.join(CACHE, p.dir), { recursive: true, force: true });
  fs.rmSync(copy, { recursive: true, force: true });
});

describe("the command line's start", () => {
  it("builds on first use, then reuses the build and its code cache", () => {
    expect(pointer()).toBeNull();
    expect(cli(["datasets"])).toContain("No datasets yet");
    const first = pointer();
    expect(first).not.toBeNull();
    expect(first!.inputs).toContain("lib/cli/main.ts");
    expect(first!.inputs.every((f) => !f.includes("node_modules/"))).toBe(true);
    expect(fs.existsSync(path.join(CACHE, first!.dir, "main.cjs.v8"))).toBe(true);

    expect(cli(["help"])).toContain("noisefloor command line");
    expect(pointer()!.dir).toBe(first!.dir);
  }, 60_000);

  it("builds again when a source changes, before the call runs", () => {
    const before = pointer()!.dir;
    const main = path.join(copy, "lib", "cli", "main.ts");
    fs.writeFileSync(main, fs.readFileSync(main, "utf8").replace("noisefloor command line", "noisefloor command line, changed"));
    expect(cli(["help"])).toContain("noisefloor command line, changed");
    const after = pointer()!.dir;
    expect(after).not.toBe(before);
    fs.rmSync(path.join(CACHE, before), { recursive: true, force: true });

    // a source the build was made from, removed: the next call builds again (and here fails to, naming the file)
    const input = pointer()!.inputs.find((f) => f !== "lib/cli/main.ts")!;
    fs.rmSync(path.join(copy, input));
    expect(() => cli(["help"])).toThrow();
    expect(pointer()!.dir).toBe(after);
  }, 60_000);
});
