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
const rule = (group, message) => ({ group, message });
const noApp = rule(["@/app", "@/app/*"], "lib/ and db/ sit below app/: move what both need into lib/.");
const noDb = rule(["@/db", "@/db/*"], "Pages, routes and the CLI call a service (lib/ingest, lib/analysis, lib/export) with ids; services get the database.");
const noServices = rule(
  ["@/lib/ingest", "@/lib/ingest/*", "@/lib/analysis", "@/lib/analysis/*", "@/lib/export", "@/lib/export/*", "@/lib/cli", "@/lib/cli/*", "@/lib/jobs", "@/lib/jobs/*"],
  "db/ sits below the services: shared shapes go to lib/types.",
);
const engineOnly = rule(
  ["@/db", "@/db/*", "@/lib/ingest", "@/lib/ingest/*", "@/lib/analysis", "@/lib/analysis/*", "@/lib/export", "@/lib/export/*", "@/app", "@/app/*"],
  "lib/engine is pure maths: it imports nothing of the app's storage, services or pages.",
);
const restrict = (...patterns) => ({ "no-restricted-imports": ["error", { patterns }] });
/** `await import("@/db/...")` too (no-restricted-imports sees static imports only). */
const noDynamicDb = {
  "no-restricted-syntax": [
    "error",
    { selector: "ImportExpression[source.value=/^@\\/db(\\/|$)/]", message: noDb.message },
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
  { files: ["lib/engine/**/*.{ts,tsx}"], rules: restrict(engineOnly) },
  { files: ["db/**/*.{ts,tsx}"], rules: restrict(noApp, noServices) },
);
