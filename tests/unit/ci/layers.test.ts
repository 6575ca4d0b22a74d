/**
 * The layer rules of eslint.config.mjs (README, "Layout") catch an arrow that points up, written through the "@/"
 * alias or as a relative path, statically or as a dynamic import; and let the arrows that point down through.
 */
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

/** The rule ids that report on `code` as the file `filePath` (a path that need not exist). */
async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? "parse").filter((id) => id.startsWith("no-restricted") || id === "parse");
}

describe("layer rules", { timeout: 60_000 }, () => {
  const up: [string, string][] = [
    ["app/x.ts", 'import { getDb } from "@/db/client";\nexport const a = getDb;'],
    ["app/datasets/x.ts", 'import { getDb } from "../../db/client";\nexport const a = getDb;'],
    ["app/x.ts", 'export const a = () => import("../db/client");'],
    ["lib/cli/x.ts", 'import { getDb } from "../../db/client";\nexport const a = getDb;'],
    ["lib/ingest/x.ts", 'import { toCsv } from "../export/csv";\nexport const a = toCsv;'],
    ["lib/ingest/x.ts", 'import { toCsv } from "@/lib/export/csv";\nexport const a = toCsv;'],
    ["lib/analysis/x.ts", 'import { runTask } from "@/lib/jobs/pool";\nexport const a = runTask;'],
    ["lib/types/x.ts", 'import type { Dataset } from "@/db/schema";\nexport type A = Dataset;'],
    ["db/x.ts", 'import { importFile } from "../lib/ingest/import";\nexport const a = importFile;'],
    ["lib/engine/x.ts", 'import { runTask } from "@/lib/jobs/pool";\nexport const a = runTask;'],
    ["lib/engine/estimate/x.ts", 'import { getDb } from "../../../db/client";\nexport const a = getDb;'],
  ];
  for (const [file, code] of up) {
    it(`refuses in ${file}: ${code.split("\n")[0]}`, async () => {
      expect((await restricted(file, code)).length).toBeGreaterThan(0);
    });
  }
  const down: [string, string][] = [
    ["lib/analysis/x.ts", 'import { parseYahooCsv } from "../ingest/prices";\nexport const a = parseYahooCsv;'],
    ["lib/export/x.ts", 'import { labCv } from "@/lib/analysis/pooling-lattice";\nexport const a = labCv;'],
    ["db/x.ts", 'import type { ImportSummary } from "@/lib/types/ingest";\nexport type A = ImportSummary;'],
    ["app/x.ts", 'import { formatCount } from "@/lib/format";\nexport const a = formatCount;'],
  ];
  for (const [file, code] of down) {
    it(`lets through in ${file}: ${code.split("\n")[0]}`, async () => {
      expect(await restricted(file, code)).toEqual([]);
    });
  }
});
