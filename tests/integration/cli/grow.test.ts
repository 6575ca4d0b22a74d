import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-grow-cli-"));
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

const HEADER = "date,campaign,impressions,clicks,conversions,spend,revenue\n";
const write = (name: string, body: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, HEADER + body);
  return p;
};

describe("import --into, uploads, remove-upload", () => {
  it("adds a newer export, lists the uploads newest first, and removes one", () => {
    const a = write("a.csv", "2026-03-01,shoes,100,10,1,5,20\n2026-03-02,shoes,100,12,0,6,0\n");
    const b = write("b.csv", "2026-03-02,shoes,100,12,2,6,40\n2026-03-03,shoes,100,9,1,4,20\n");
    const first = JSON.parse(cli("import", a, "--json").stdout) as { datasetId: number };
    const added = cli("import", b, "--into", String(first.datasetId), "--json");
    expect(added.code).toBe(0);
    const summary = JSON.parse(added.stdout) as { upload: { uploadId: number; rowsAdded: number; rowsReplaced: number; totalsAfter: { clicks: number } } };
    // 03-02 replaced, 03-03 added; clicks 10 + 12 + 9
    expect(summary.upload).toMatchObject({ rowsAdded: 1, rowsReplaced: 1, totalsAfter: { clicks: 31 } });

    const listed = cli("uploads", String(first.datasetId));
    expect(listed.stdout.split("\n").filter((l) => /^\s+\d+\s{2}/.test(l)).map((l) => l.trim().split(/\s+/)[2])).toEqual(["b.csv", "a.csv"]);
    expect(listed.stdout).toContain("1 rows added, 1 replaced");

    const refused = cli("remove-upload", String(first.datasetId), "999");
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining("not_found")]);
    expect(cli("import", b, "--into", "x").code).toBe(2);
    expect(cli("remove-upload", String(first.datasetId), String(summary.upload.uploadId)).code).toBe(0);
    const json = JSON.parse(cli("uploads", String(first.datasetId), "--json").stdout) as { uploads: { fileName: string; totalsAfter: { clicks: number } }[] };
    expect(json.uploads.map((u) => [u.fileName, u.totalsAfter.clicks])).toEqual([["a.csv", 22]]);
  });
});

describe("two platforms in one dataset, and analyze --source", () => {
  it("adds a Meta export beside a Google Ads one, and analyzes each source alone", () => {
    const days = ["2026-04-01", "2026-04-02", "2026-04-03"];
    const google = path.join(dir, "google.csv");
    fs.writeFileSync(
      google,
      "Campaign report\n\"Apr 1, 2026 - Apr 3, 2026\"\nDay,Campaign,Impr.,Clicks,Cost,Conversions,Conv. value,Currency code\n" +
        days.map((d, i) => `${d},Brand Search,"1,${200 + i}",${100 + i},50.25,${i + 1}.00,${40 * (i + 1)}.00,USD`).join("\n") +
        "\n",
    );
    const meta = path.join(dir, "meta.csv");
    fs.writeFileSync(
      meta,
      '"Campaign name","Reporting starts","Reporting ends","Impressions","Link clicks","Amount spent (USD)","Purchases","Purchases conversion value"\n' +
        days.map((d, i) => `"Brand Search","${d}","${d}","9000","${60 + i}","30.10","${i % 2}","${(i % 2) * 25}.00"`).join("\n") +
        "\n",
    );
    const first = JSON.parse(cli("import", google, "--json").stdout) as { datasetId: number };
    const id = String(first.datasetId);
    const added = cli("import", meta, "--into", id, "--json");
    expect(added.code).toBe(0);
    const summary = JSON.parse(added.stdout) as { warnings: string[]; upload: { rowsAdded: number; rowsReplaced: number } };
    expect(summary.upload).toMatchObject({ rowsAdded: 3, rowsReplaced: 0 });
    expect(summary.warnings.join(" ")).toContain("Brand Search is in Google Ads and Meta: counted together");

    type Analysis = { source: string | null; sources: { source: string; clicks: number }[]; campaigns: { campaign: string; clicks: number; sources: string[] }[] };
    const all = JSON.parse(cli("analyze", id, "--lag", "off", "--json").stdout) as Analysis;
    // 100 + 101 + 102 Google clicks and 60 + 61 + 62 Meta clicks: one campaign, both sources
    expect(all.campaigns.map((c) => [c.campaign, c.clicks, c.sources])).toEqual([["Brand Search", 303 + 183, ["google_ads", "meta_ads"]]]);
    expect(all.sources.map((s) => [s.source, s.clicks])).toEqual([["google_ads", 303], ["meta_ads", 183]]);
    const onlyMeta = cli("analyze", id, "--lag", "off", "--source", "Meta", "--json");
    expect(onlyMeta.code).toBe(0);
    const m = JSON.parse(onlyMeta.stdout) as Analysis;
    expect([m.source, m.campaigns[0]?.clicks]).toEqual(["meta_ads", 183]);
    const text = cli("analyze", id, "--lag", "off", "--source", "google_ads");
    expect(text.stdout).toContain("Google Ads rows only");

    const unknown = cli("analyze", id, "--source", "tiktok");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no source "tiktok".*google_ads \(Google Ads\), meta_ads \(Meta\)/);
    const listed = JSON.parse(cli("datasets", "--json").stdout) as { datasets: { id: number; sources: string[] }[] };
    expect(listed.datasets.find((d) => d.id === first.datasetId)?.sources).toEqual(["google_ads", "meta_ads"]);
  });
});

describe("import of a sheet whose columns are not recognised", () => {
  it("refuses with exit 2, then prints the columns guessed from their names as --map options that import it", () => {
    const sheet = path.join(dir, "sheet.csv");
    fs.writeFileSync(sheet, "report_date,campaign_number,displays,cost,clicks,post_click_conversions\n2026-03-01,c1,1000,5.5,40,2\n2026-03-02,c1,1100,6,44,1\n");
    const refused = cli("import", sheet);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error \(unrecognised_format\)/);
    const line = refused.stderr.split("\n").find((l) => l.startsWith("guessed from the column names"));
    expect(line).toBe(
      "guessed from the column names (check each, then run again with them): --map date=report_date --map campaign=campaign_number --map impressions=displays --map clicks=clicks --map conversions=post_click_conversions --map spend=cost",
    );
    // the options as printed import the sheet
    const flags = line!.slice(line!.indexOf("--map")).split(" ");
    const imported = cli("import", sheet, ...flags, "--json");
    expect(imported.code).toBe(0);
    expect((JSON.parse(imported.stdout) as { rowsImported: number }).rowsImported).toBe(2);
  });
});
