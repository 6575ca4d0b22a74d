import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

/*
 * Layers: each folder imports only the ones below it (README, "Layout").
 *   app/ (pages, route handlers), lib/cli/        call services with ids; never the database
 *   lib/analysis, lib/ingest, lib/export, lib/jobs services; get the database themselves
 *   db/                                           schema, connection, queries; no service, no page
 *   lib/engine/                                   pure maths; nothing of the app
 *   lib/types, lib/csv.ts, lib/id.ts, ...         shared below all of them
 * A restricted import fails `npm run lint`. Flat config applies the last matching block per rule, so a folder's block
 * repeats the rules of the folders it sits in.
 */
/**
 * A restriction on the folders `names` (paths from the project's root, e.g. "db" or "lib/export"), written both
 * ways a file can name them: through the "@/" alias ("@/db/client") or relative ("../../db/client", "../export/csv"
 * from a sibling under lib/), as a regular expression on the import's source. "@/lib/types/db" or "./db-helpers"
 * do not match.
 */
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const rule = (names, message) => {
  const aliased = names.map(escape).join("|");
  // relative: any number of "../", then the name, or for a lib/ folder its last part (a sibling under lib/)
  const relative = names.map((n) => (n.startsWith("lib/") ? `(lib\\/)?${escape(n.slice(4))}` : escape(n))).join("|");
  return { regex: `^(@\\/(${aliased})|(\\.\\.\\/)+(${relative}))(\\/|$)`, message };
};
const noApp = rule(["app"], "lib/ and db/ sit below app/: move what both need into lib/.");
const noDb = rule(["db"], "Pages, routes and the CLI call a service (lib/ingest, lib/analysis, lib/export) with ids; services get the database.");
const noDbBelow = rule(["db"], "lib/types sits below db/: db/ imports the shapes it shares from lib/types, never the reverse.");
const noServices = rule(
  ["lib/ingest", "lib/analysis", "lib/export", "lib/cli", "lib/jobs"],
  "db/ and lib/types sit below the services: shared shapes go to lib/types.",
);
const engineOnly = rule(
  ["db", "app", "lib/ingest", "lib/analysis", "lib/export", "lib/cli", "lib/jobs"],
  "lib/engine is pure maths: it imports nothing of the app's storage, services or pages.",
);
// Services in their order: lib/jobs runs lib/export and lib/analysis, lib/export reports lib/analysis, lib/analysis
// reads what lib/ingest wrote; none calls one above it.
const aboveIngest = rule(["lib/analysis", "lib/export", "lib/jobs", "lib/cli"], "lib/ingest sits below the other services: what they share goes to lib/types or lib/csv.ts.");
const aboveAnalysis = rule(["lib/export", "lib/jobs", "lib/cli"], "lib/analysis sits below lib/export and lib/jobs.");
const aboveExport = rule(["lib/jobs", "lib/cli"], "lib/export sits below lib/jobs and the CLI.");
const restrict = (...patterns) => ({ "no-restricted-imports": ["error", { patterns }] });
/** `await import("@/db/...")` and `await import("../db/...")` too (no-restricted-imports sees static imports only). */
const noDynamicDb = {
  "no-restricted-syntax": [
    "error",
    { selector: "ImportExpression[source.value=/^(@\\/|(\\.\\.\\/)+)db(\\/|$)/]", message: noDb.message },
  ],
};

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", "data/**", "drizzle/**", "next-env.d.ts", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  { files: ["app/**/*.{ts,tsx}"], rules: { ...restrict(noDb), ...noDynamicDb } },
  { files: ["lib/**/*.{ts,tsx,mjs}"], rules: restrict(noApp) },
  { files: ["lib/cli/**/*.{ts,tsx,mjs}"], rules: { ...restrict(noApp, noDb), ...noDynamicDb } },
  { files: ["lib/ingest/**/*.{ts,tsx}"], rules: restrict(noApp, aboveIngest) },
  { files: ["lib/analysis/**/*.{ts,tsx}"], rules: restrict(noApp, aboveAnalysis) },
  { files: ["lib/export/**/*.{ts,tsx}"], rules: restrict(noApp, aboveExport) },
  { files: ["lib/engine/**/*.{ts,tsx}"], rules: restrict(engineOnly) },
  { files: ["db/**/*.{ts,tsx}"], rules: restrict(noApp, noServices) },
  { files: ["lib/types/**/*.{ts,tsx}"], rules: restrict(noApp, noDbBelow, noServices) },
);
