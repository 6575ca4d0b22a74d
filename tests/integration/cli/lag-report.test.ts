import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
const REPORT = path.join(ROOT, "tests/fixtures/engine/lag-report/google-ads-days-to-conversion.csv");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-lag-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The command line, run from its TypeScript source on a throwaway database. */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", path.join(ROOT, "lib/cli/main.ts"), ...args],
    { cwd: ROOT, env: { ...process.env, DATABASE_PATH: path.join(dir, "cli.db"), SAMPLE_DATA: "0" }, encoding: "utf8" },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("lag-report", () => {
  it("stores a Days-to-conversion report, the analysis then says it learned from it, and --remove takes it away", () => {
    const data = path.join(dir, "d.csv");
    const rows = ["date,campaign,impressions,clicks,conversions,spend,revenue"];
    for (let d = 1; d <= 28; d++) rows.push(`2026-02-${String(d).padStart(2, "0")},shoes,1000,100,${d % 4},50,${(d % 4) * 30}`);
    fs.writeFileSync(data, rows.join("\n") + "\n");
    const id = String((JSON.parse(cli("import", data, "--json").stdout) as { datasetId: number }).datasetId);

    const stored = cli("lag-report", id, REPORT);
    expect(stored.code).toBe(0);
    expect(stored.stdout).toMatch(/15 buckets, 1,800 conversions; 0 rows could not be read, 1 total rows skipped/);
    const a = JSON.parse(cli("analyze", id, "--json").stdout) as { lag: { source: string; learned: { fileName: string } } };
    expect(a.lag.source).toBe("report");
    expect(a.lag.learned.fileName).toBe("google-ads-days-to-conversion.csv");

    const removed = cli("lag-report", id, "--remove");
    expect(removed.code).toBe(0);
    expect((JSON.parse(cli("analyze", id, "--json").stdout) as { lag: { source: string } }).lag.source).toBe("default");
    // nothing left to remove
    expect(cli("lag-report", id, "--remove")).toMatchObject({ code: 2, stderr: expect.stringContaining("has no time-lag report") });
  });

  it("refuses a file that is not a report, a missing file and a bad id with exit 2 and the reason", () => {
    const bad = path.join(dir, "bad.csv");
    fs.writeFileSync(bad, "campaign,clicks\nA,10\n");
    expect(cli("lag-report", "1", bad)).toMatchObject({ code: 2, stderr: expect.stringMatching(/unrecognised_format.*not a time-lag report/) });
    expect(cli("lag-report", "1", path.join(dir, "nope.csv"))).toMatchObject({ code: 2, stderr: expect.stringContaining("No file at") });
    expect(cli("lag-report", "x", bad)).toMatchObject({ code: 2, stderr: expect.stringContaining("lag-report takes a dataset id") });
    expect(cli("lag-report", "999", REPORT)).toMatchObject({ code: 2, stderr: expect.stringContaining("No dataset with id 999") });
  });
});
