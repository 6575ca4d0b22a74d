/**
 * `npm run -s cli -- ...`: runs the command line from a JavaScript build of lib/cli/main.ts, made with esbuild on
 * first use and again whenever one of the files it was built from changes, so that a call compiles no TypeScript.
 *
 * What a call costs before the command runs, and why this file is CommonJS: a CommonJS entry spares node its ES
 * module loader; the check for a newer source is one small JSON file and a stat of the project files the build was
 * made from (packages are covered by the lock files); the build is one CommonJS file run through `vm.Script` with
 * V8's code cache, stored beside it after its first run, so that the bundle's half megabyte of JavaScript is not
 * parsed again at every call.
 *
 * The builds live in node_modules/.cache/noisefloor-cli/ (a cache, never committed): one folder per build, never
 * changed once written, and a pointer `current-<key>.json` naming the folder in use and the files it was built from,
 * replaced by a rename so that two commands started at once never read half a build. The key is made from the
 * project's folder: two checkouts sharing one node_modules keep their own builds. Packages are bundled with the
 * `react-server` condition (so `server-only` resolves to its empty module), except better-sqlite3 (native); the
 * `@/` paths of tsconfig.json are resolved by esbuild. `import()` of the importer and the engine stays lazy: their
 * modules are in the file but run only when a command needs them.
 */
"use strict";
/* global require, __dirname -- names node gives a CommonJS file */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file: node starts it without its ES module loader */
const fs = require("node:fs");
const path = require("node:path");
const process = require("node:process");

const root = path.resolve(__dirname, "..", "..");
const cacheDir = path.join(root, "node_modules", ".cache", "noisefloor-cli");
const ENTRY = path.join(root, "lib", "cli", "main.ts");
/**
 * Files that change how the build is made or what packages it holds, beside the project files it was built from.
 * npm rewrites node_modules/.package-lock.json at every install; a file missing here is skipped.
 */
const BUILD_FILES = ["tsconfig.json", "package.json", "package-lock.json", "node_modules/.package-lock.json", "lib/cli/run.cjs"];
const BUNDLE = "main.cjs";
const CODE_CACHE = "main.cjs.v8";

/** FNV-1a of the project's folder, in hex: the pointer's name. */
function rootKey() {
  let h = 0x811c9dc5;
  for (let i = 0; i < root.length; i++) h = Math.imul(h ^ root.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}
const pointer = path.join(cacheDir, `current-${rootKey()}.json`);

/** The current build's file, or null when there is none or a file it was built from changed since. */
function currentBuild() {
  let current;
  try {
    current = JSON.parse(fs.readFileSync(pointer, "utf8"));
  } catch {
    return null;
  }
  if (current.root !== root || !Array.isArray(current.inputs)) return null;
  const file = path.join(cacheDir, current.dir, BUNDLE);
  if (!fs.existsSync(file)) return null;
  for (const rel of current.inputs) {
    // a removed or renamed input makes the build stale
    const st = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
    if (!st || st.mtimeMs >= current.started) return null;
  }
  for (const rel of BUILD_FILES) {
    const st = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
    if (st && st.mtimeMs >= current.started) return null;
  }
  return file;
}

async function build() {
  const { build: esbuild } = require("esbuild");
  // Sources are compared with the time the build started: a file saved while esbuild runs makes the next call build again.
  const started = Date.now();
  const dir = `build-${started}-${process.pid}`;
  const outfile = path.join(cacheDir, dir, BUNDLE);
  const addon = sqliteAddon();
  const result = await esbuild({
    entryPoints: [ENTRY],
    outfile,
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: addon ? [] : ["better-sqlite3"],
    plugins: addon ? [nativeAddon(addon)] : [],
    conditions: ["react-server"],
    mainFields: ["module", "main"],
    tsconfig: path.join(root, "tsconfig.json"),
    metafile: true,
    minify: true,
    logLevel: "error",
  });
  // Packages (also through a node_modules that is a link elsewhere) are followed by the lock files, not one by one;
  // the addon's stand-in ("native-addon:bindings") is no file.
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.includes("node_modules/") && !p.startsWith("native-addon:"));
  const tmp = `${pointer}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ root, dir, started, inputs }));
  fs.renameSync(tmp, pointer);
  removeOldBuilds(dir);
  return outfile;
}

/**
 * better-sqlite3's compiled addon, found as its `bindings` package finds it, or null (then the package stays outside
 * the bundle and finds it itself, at every call: that search, a dozen paths tried with require, costs several ms).
 */
function sqliteAddon() {
  try {
    const { createRequire } = require("node:module");
    const pkg = createRequire(path.join(root, "package.json")).resolve("better-sqlite3/package.json");
    const bindings = createRequire(pkg)("bindings");
    return bindings({ bindings: "better_sqlite3.node", module_root: path.dirname(pkg), path: true });
  } catch {
    return null;
  }
}

/** Bundles better-sqlite3's JavaScript, its `bindings` lookup replaced by a require of the addon found at build time. */
function nativeAddon(file) {
  return {
    name: "native-addon",
    setup(b) {
      b.onResolve({ filter: /^bindings$/ }, () => ({ path: "bindings", namespace: "native-addon" }));
      b.onLoad({ filter: /.*/, namespace: "native-addon" }, () => ({
        contents: `module.exports = () => require(${JSON.stringify(file)});`,
        loader: "js",
      }));
      b.onResolve({ filter: /\.node$/ }, (a) => ({ path: a.path, external: true }));
    },
  };
}

/**
 * Removes builds that no pointer names and that are untouched for an hour (a command still running from one keeps
 * its file open: nothing more is read from it), and the pointers of project folders that no longer exist.
 */
function removeOldBuilds(keep) {
  const inUse = new Set([keep]);
  const names = fs.readdirSync(cacheDir);
  for (const name of names) {
    if (!/^current-[0-9a-f]{8}\.json$/.test(name)) continue;
    const p = path.join(cacheDir, name);
    try {
      const current = JSON.parse(fs.readFileSync(p, "utf8"));
      if (typeof current.root === "string" && fs.existsSync(current.root)) inUse.add(current.dir);
      else fs.rmSync(p, { force: true });
    } catch {
      // a pointer being replaced: its build is kept until the next clean-up
    }
  }
  const hourAgo = Date.now() - 3_600_000;
  for (const name of names) {
    const p = path.join(cacheDir, name);
    if ((name.startsWith("build-") && !inUse.has(name)) || name === "current.json") {
      if (fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs < hourAgo) fs.rmSync(p, { recursive: true, force: true });
    }
  }
}

/**
 * Runs the bundle as node runs a CommonJS file, with V8's code cache. The cache is written at exit when there was
 * none or V8 refused it (another node version, other V8 flags), so it holds the functions this command compiled.
 */
function run(file) {
  const vm = require("node:vm");
  const { createRequire } = require("node:module");
  const source = fs.readFileSync(file, "utf8");
  const cacheFile = path.join(path.dirname(file), CODE_CACHE);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once("exit", () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // a cache that cannot be written only costs the next call its parse
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
}

const current = currentBuild();
if (current) run(current);
else build().then(run, (e) => {
  process.stderr.write(`internal error: the command line could not be built: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
