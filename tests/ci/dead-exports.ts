/**
 * Dead exports: lists every export of the project's TypeScript that no other file imports, and fails (exit 1) when
 * one is not listed in tests/ci/dead-exports.json with its reason. Run by `npm run lint`.
 *
 * How it decides, with the TypeScript compiler API over the files of tsconfig.json (tests and benches included, so
 * an export used only by its tests counts as used, as knip counts it by default):
 * - an export is used when another file names it in an `import`, an `export ... from`, an `import("…").Name` type,
 *   or destructures it from a dynamic `import()`; re-exports are followed to the declaration they alias, so a
 *   barrel's export and the one it names are both used;
 * - `import * as ns` and a dynamic `import()` that is not destructured use every export of that module;
 * - a value (function, constant, class) exported but used only inside its own file is dead: drop the `export`
 *   keyword; a type or interface used in its own file is not (it is part of the signatures that name it);
 * - the exports of entry files are used by the tools that load them (Next.js route files, configs, the worker's
 *   entry, scripts run by npm): see ENTRY below.
 * Unlisted dead exports fail; a listed export that is no longer dead fails too, so the list stays true.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import allowed from "./dead-exports.json" with { type: "json" };

/** Files whose exports a tool reads by name: Next.js route segment files, configs, the worker bundle's entry. */
const ENTRY: RegExp[] = [
  /^app\/(.+\/)?(page|layout|route|loading|error|not-found|global-error|template|default)\.tsx?$/,
  /^proxy\.ts$/,
  /^[^/]+\.config\.m?ts$/,
  /^lib\/jobs\/worker\/entry\.ts$/,
  /^next-env\.d\.ts$/,
  /^tests\/e2e\/global-setup\.ts$/,
];

type Allowed = { file: string; name: string; reason: string };

function loadProgram(root: string): ts.Program {
  const configPath = path.join(root, "tsconfig.json");
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root);
  // The project's own files only: packages' declarations (react, next, node) are not read, which halves the time;
  // imports between project files still resolve, and packages' exports are not this check's business.
  return ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true, incremental: false, noResolve: true, types: [] } });
}

/**
 * The dead exports of the TypeScript project at `root` (its tsconfig.json), as "file:name" with the file relative to
 * root, and the entries of `allowed` that are not dead (or not exports) any more.
 */
export function findDeadExports(root: string, allowed: readonly Allowed[], entry: readonly RegExp[] = ENTRY): { dead: string[]; stale: string[] } {
  const rel = (file: string) => path.relative(root, file).split(path.sep).join("/");
  const program = loadProgram(root);
  const checker = program.getTypeChecker();
  const files = program
    .getSourceFiles()
    .filter((f) => !f.isDeclarationFile && !rel(f.fileName).startsWith("node_modules/") && !rel(f.fileName).startsWith(".."));

  /** Every export symbol a file declares itself (its own declarations and its `export { x } from`), by file. */
  const exportsOf = new Map<string, Map<string, ts.Symbol>>();
  for (const file of files) {
    const moduleSymbol = checker.getSymbolAtLocation(file);
    const own = new Map<string, ts.Symbol>();
    if (moduleSymbol) {
      for (const sym of checker.getExportsOfModule(moduleSymbol)) {
        // `export *` brings symbols declared elsewhere: they are reported in the file that declares them
        if (sym.declarations?.some((d) => d.getSourceFile() === file)) own.set(sym.getName(), sym);
      }
    }
    exportsOf.set(file.fileName, own);
  }

  const used = new Set<ts.Symbol>();
  /** Marks a symbol and every alias it goes through, down to the declaration. */
  const mark = (start: ts.Symbol | undefined) => {
    let sym = start;
    for (let guard = 0; sym && guard < 32; guard++) {
      if (used.has(sym) && guard > 0) return;
      used.add(sym);
      if (!(sym.flags & ts.SymbolFlags.Alias)) return;
      sym = checker.getImmediateAliasedSymbol(sym);
    }
  };
  const moduleOf = (specifier: ts.Expression | undefined): ts.Symbol | undefined =>
    specifier ? checker.getSymbolAtLocation(specifier) : undefined;
  const markAll = (moduleSymbol: ts.Symbol | undefined) => {
    if (!moduleSymbol) return;
    for (const sym of checker.getExportsOfModule(moduleSymbol)) mark(sym);
  };
  const markNamed = (moduleSymbol: ts.Symbol | undefined, name: string) => {
    if (!moduleSymbol) return;
    const sym = checker.getExportsOfModule(moduleSymbol).find((s) => s.getName() === name);
    mark(sym);
  };

  /** Exports named inside their own file, beside their declaration. */
  const usedInFile = new Set<ts.Symbol>();
  for (const file of files) {
    const own = new Set(exportsOf.get(file.fileName)?.values());
    const names = new Set(exportsOf.get(file.fileName)?.keys());
    if (names.size === 0) continue;
    const visit = (node: ts.Node): void => {
      // only identifiers spelled like one of the file's exports can name one (resolving every identifier is slow)
      if (ts.isIdentifier(node) && names.has(node.text) && !isDeclarationName(node)) {
        const sym = checker.getSymbolAtLocation(node);
        const exported = sym && checker.getExportSymbolOfSymbol(sym);
        if (exported && own.has(exported)) usedInFile.add(exported);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node)) {
        const mod = moduleOf(node.moduleSpecifier);
        const clause = node.importClause;
        if (clause?.name) markNamed(mod, "default");
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) markAll(mod);
        if (bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) markNamed(mod, (el.propertyName ?? el.name).text);
        }
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
        const mod = moduleOf(node.moduleSpecifier);
        if (!node.exportClause) {
          // `export * from`: its names are used through this file's exports; followed when those are imported
        } else if (ts.isNamespaceExport(node.exportClause)) {
          markAll(mod);
        } else {
          for (const el of node.exportClause.elements) markNamed(mod, (el.propertyName ?? el.name).text);
        }
      } else if (ts.isImportTypeNode(node)) {
        const arg = node.argument;
        const mod = ts.isLiteralTypeNode(arg) ? moduleOf(arg.literal) : undefined;
        if (node.qualifier) {
          const first = ts.isIdentifier(node.qualifier) ? node.qualifier : leftmost(node.qualifier);
          markNamed(mod, first.text);
        } else {
          markAll(mod);
        }
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const mod = moduleOf(node.arguments[0]);
        const names = destructured(node);
        if (names) for (const name of names) markNamed(mod, name);
        else markAll(mod);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  const allowedKey = (a: { file: string; name: string }) => `${a.file}:${a.name}`;
  const allowList = new Map(allowed.map((a) => [allowedKey(a), a]));
  const dead: string[] = [];
  const stale: string[] = [];
  for (const file of files) {
    const name = rel(file.fileName);
    if (entry.some((re) => re.test(name))) continue;
    for (const [exportName, sym] of exportsOf.get(file.fileName) ?? []) {
      const key = allowedKey({ file: name, name: exportName });
      const isUsed = used.has(sym);
      // a type named in its own file's signatures is part of them (knip's `ignoreExportsUsedInFile` for types)
      const isLive = isUsed || (usedInFile.has(sym) && !(checker.getExportSymbolOfSymbol(sym).flags & ts.SymbolFlags.Value));
      if (!isLive && !allowList.has(key)) dead.push(key);
      if (isLive && allowList.has(key)) stale.push(key);
    }
  }
  for (const key of allowList.keys()) {
    const [file, name] = key.split(":") as [string, string];
    const sf = files.find((f) => rel(f.fileName) === file);
    if (!sf || !exportsOf.get(sf.fileName)?.has(name)) stale.push(`${key} (no such export)`);
  }
  return { dead: dead.sort(), stale: stale.sort() };
}

function main(): number {
  const { dead, stale } = findDeadExports(path.resolve(import.meta.dirname, "..", ".."), allowed as Allowed[]);
  if (dead.length > 0) {
    console.error(`Exports no other file imports (remove them, or list them in tests/ci/dead-exports.json with the reason):`);
    for (const key of dead) console.error(`  ${key}`);
  }
  if (stale.length > 0) {
    console.error(`Listed in tests/ci/dead-exports.json but imported now (take them off the list):`);
    for (const key of stale) console.error(`  ${key}`);
  }
  return dead.length + stale.length > 0 ? 1 : 0;
}

/** The name of a declaration (`x` in `const x =`, `function x`), not a use of it. */
function isDeclarationName(id: ts.Identifier): boolean {
  const parent = id.parent;
  return (
    (ts.isVariableDeclaration(parent) ||
      ts.isFunctionDeclaration(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isInterfaceDeclaration(parent) ||
      ts.isTypeAliasDeclaration(parent) ||
      ts.isEnumDeclaration(parent) ||
      ts.isExportSpecifier(parent)) &&
    parent.name === id
  );
}

function leftmost(name: ts.QualifiedName): ts.Identifier {
  let n: ts.EntityName = name;
  while (ts.isQualifiedName(n)) n = n.left;
  return n;
}

/** The names taken from `const { a, b: c } = await import("…")`, or null when the module is used some other way. */
function destructured(call: ts.CallExpression): string[] | null {
  let node: ts.Node = call;
  if (ts.isAwaitExpression(node.parent)) node = node.parent;
  const decl = node.parent;
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isObjectBindingPattern(decl.name)) return null;
  const names: string[] = [];
  for (const el of decl.name.elements) {
    if (el.dotDotDotToken) return null;
    const prop = el.propertyName ?? el.name;
    if (!ts.isIdentifier(prop)) return null;
    names.push(prop.text);
  }
  return names;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main());
