/**
 * `npm run -s cli -- ...`: runs the command line from a JavaScript build of lib/cli/main.ts, made with esbuild on
 * first use and again whenever one of the files it was built from changes. Compiling TypeScript at every start (tsx)
 * cost about a quarter of a second a call; the build starts in tens of milliseconds.
 *
 * The build lives in node_modules/.cache/noisefloor-cli/ (a cache, never committed): one folder per build, and
 * `current.json` naming the folder in use and the project files it was built from, replaced by a rename so that
 * two commands started at once never read half a build. Packages are bundled with the `react-server` condition (so
 * `server-only` resolves to its empty module), except better-sqlite3 (native); the `@/` paths of tsconfig.json are
 * resolved by esbuild. Commands load their heavy parts (importer, engine) as separate chunks, on use.
 */
import fs from "node:fs";
import process from "node:process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cacheDir = path.join(root, "node_modules", ".cache", "noisefloor-cli");
const pointer = path.join(cacheDir, "current.json");
const ENTRY = path.join(root, "lib", "cli", "main.ts");
/** Files that change how the build is made, beside the sources it was built from. */
const BUILD_FILES = ["tsconfig.json", "package-lock.json", "lib/cli/run.mjs"];

/** The current build's entry file, or null when there is none or a file it was built from is newer. */
function currentBuild() {
  let current;
  try {
    current = JSON.parse(fs.readFileSync(pointer, "utf8"));
  } catch {
    return null;
  }
  const entry = path.join(cacheDir, current.dir, "main.js");
  let built;
  try {
    built = fs.statSync(entry).mtimeMs;
  } catch {
    return null;
  }
  for (const rel of [...current.inputs, ...BUILD_FILES]) {
    try {
      if (fs.statSync(path.join(root, rel)).mtimeMs > built) return null;
    } catch {
      return null; // an input was removed or renamed
    }
  }
  return entry;
}

async function build() {
  const { build: esbuild } = await import("esbuild");
  const dir = `build-${Date.now()}-${process.pid}`;
  const outdir = path.join(cacheDir, dir);
  const result = await esbuild({
    entryPoints: [ENTRY],
    outdir,
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["better-sqlite3"],
    conditions: ["react-server"],
    mainFields: ["module", "main"],
    tsconfig: path.join(root, "tsconfig.json"),
    metafile: true,
    minify: true,
    logLevel: "error",
    // CommonJS packages inside an ES module build still call require() for node's builtins.
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
  });
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith("node_modules/"));
  const tmp = `${pointer}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ dir, inputs }));
  fs.renameSync(tmp, pointer);
  // Older builds are no longer named by the pointer. One still in use loads its chunks on use, so only builds
  // untouched for an hour are removed.
  const hourAgo = Date.now() - 3_600_000;
  for (const name of fs.readdirSync(cacheDir)) {
    const p = path.join(cacheDir, name);
    if (name.startsWith("build-") && name !== dir && fs.statSync(p).mtimeMs < hourAgo) fs.rmSync(p, { recursive: true, force: true });
  }
  return path.join(outdir, "main.js");
}

const entry = currentBuild() ?? (await build());
await import(pathToFileURL(entry).href);
