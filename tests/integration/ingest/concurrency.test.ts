import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JOURNAL_SIZE_LIMIT } from "@/db/client";
import { isAppError, type AppError } from "@/lib/errors";
import { withWriteTurn } from "@/lib/ingest/import";
import { removeStaleUploads } from "@/lib/ingest/store";
import { handleError } from "@/app/api/_lib/http";
import { importLocalFile, removeDataset } from "@/lib/ingest/uploads";
import { count, fixture, sandbox, type Sandbox } from "./helpers";

const ROOT = path.resolve(__dirname, "../../..");
let sb: Sandbox;
const children: ChildProcess[] = [];
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.pid) process.kill(c.pid);
  sb.cleanup();
});

/**
 * Another process holding the database's write lock for `ms` (or until `release()`); resolves once it holds it.
 */
function holdWriteLock(dbPath: string, ms: number): Promise<{ released: Promise<void>; release: () => void }> {
  const code =
    "const D=require('better-sqlite3');const d=new D(process.argv[1]);d.exec('BEGIN IMMEDIATE');" +
    "process.stdout.write('locked\\n');const end=()=>{d.exec('COMMIT');d.close();process.exit(0)};" +
    "setTimeout(end,Number(process.argv[2]));process.stdin.on('data',end)";
  const child = spawn(process.execPath, ["-e", code, dbPath, String(ms)], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  const released = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const release = () => child.stdin!.write("release\n");
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("locked")) resolve({ released, release });
    });
    child.on("exit", (c) => reject(new Error(`lock holder exited early (${c})`)));
  });
}

/** The command line, run as `npm run -s cli` runs it, on the sandbox's database. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", path.join(ROOT, "lib/cli/main.ts"), ...args],
    { cwd: ROOT, env: { ...process.env, DATABASE_PATH: sb.dbPath, SAMPLE_DATA: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

/** A generic CSV of `rows` campaign-days (deterministic). */
function bigCsv(rows: number): string {
  const file = path.join(sb.dir, `generic-${rows}.csv`);
  const lines = ["date,campaign,impressions,clicks,conversions,spend,revenue"];
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2025, 0, 1) + (i % 365) * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${day},Campaign ${i % 50},${1000 + (i % 97)},${10 + (i % 13)},${i % 3},${(12.5 + (i % 7)).toFixed(2)},${(i % 5) * 20}`);
  }
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

describe("writes while another process writes", () => {
  it("a delete waits for the other process's write, keeps the process serving, then succeeds", async () => {
    const s = await importLocalFile(sb.db, sb.dbPath, fixture("generic.csv"), { maxBytes: 1 << 20 });
    const { released } = await holdWriteLock(sb.dbPath, 1500);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    let waitedFor = false;
    const deleting = removeDataset(sb.db, sb.dbPath, s.datasetId).finally(() => (waitedFor = true));
    await released;
    expect(waitedFor).toBe(false); // still waiting while the lock was held
    expect(await deleting).toBe(true);
    clearInterval(timer);
    // timers kept firing during the ~1.5 s wait: the process was not blocked (a blocking wait gives 0-1 ticks)
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(count(sb.db, "datasets")).toBe(0);
    expect(fs.existsSync(path.join(sb.uploads, s.sha256))).toBe(false);
  });

  it("answers busy (HTTP 503 with Retry-After) when the other write outlasts the wait, and changes nothing", async () => {
    const s = await importLocalFile(sb.db, sb.dbPath, fixture("generic.csv"), { maxBytes: 1 << 20 });
    const { released } = await holdWriteLock(sb.dbPath, 2500);
    const err = await refusal(withWriteTurn(sb.db, () => sb.db.$client.prepare("DELETE FROM datasets").run(), 300));
    expect(err.code).toBe("busy");
    const res = handleError(err, "test");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("10");
    await released;
    expect(count(sb.db, "datasets")).toBe(1);
    expect(count(sb.db, "observations", s.datasetId)).toBeGreaterThan(0);
  });

  it("the same bytes from the command line and from this process at once give one dataset and two successes", async () => {
    const file = bigCsv(20_000);
    // both importers queue behind a third writer, so their transactions meet: the lock is released only once the
    // command line has stored its copy of the upload (its temporary file names its pid) and had time to reach it
    fs.mkdirSync(sb.uploads, { recursive: true });
    const { released, release } = await holdWriteLock(sb.dbPath, 60_000);
    const cliStored = new Promise<void>((resolve) => {
      const watcher = fs.watch(sb.uploads, (_event, name) => {
        const pid = /^\.upload-(\d+)-/.exec(String(name ?? ""))?.[1];
        if (pid !== undefined && Number(pid) !== process.pid) {
          watcher.close();
          resolve();
        }
      });
    });
    const fromCli = cli(["import", file, "--json"]);
    const here = importLocalFile(sb.db, sb.dbPath, file, { maxBytes: 64 << 20 });
    await cliStored;
    await new Promise((r) => setTimeout(r, 1500));
    release();
    await released;
    const [c, h] = await Promise.all([fromCli, here]);
    expect(c.stderr).toBe("");
    expect(c.code).toBe(0);
    const cs = JSON.parse(c.stdout) as { datasetId: number; existing: boolean; rowsImported: number };
    expect(cs.datasetId).toBe(h.datasetId);
    expect([cs.existing, h.existing].sort()).toEqual([false, true]);
    expect(count(sb.db, "datasets")).toBe(1);
    expect(count(sb.db, "observations")).toBe(20_000);
  });
});

describe("writes in one process", () => {
  it("a delete sent during an import waits for it, and both succeed", async () => {
    const first = await importLocalFile(sb.db, sb.dbPath, fixture("generic.csv"), { maxBytes: 1 << 20 });
    const importing = importLocalFile(sb.db, sb.dbPath, bigCsv(30_000), { maxBytes: 64 << 20 });
    const deleting = removeDataset(sb.db, sb.dbPath, first.datasetId);
    const [imported, deleted] = await Promise.all([importing, deleting]);
    expect(imported.rowsImported).toBe(30_000);
    expect(deleted).toBe(true);
    expect(count(sb.db, "datasets")).toBe(1);
    expect(count(sb.db, "observations", first.datasetId)).toBe(0);
  });
});

describe("nothing left behind", () => {
  it("keeps the write-ahead log bounded: a big import is checkpointed and the log truncated", async () => {
    expect(sb.db.$client.pragma("journal_size_limit", { simple: true })).toBe(JOURNAL_SIZE_LIMIT);
    const s = await importLocalFile(sb.db, sb.dbPath, bigCsv(60_000), { maxBytes: 64 << 20 });
    expect(s.rowsImported).toBe(60_000);
    const wal = `${sb.dbPath}-wal`;
    const size = fs.existsSync(wal) ? fs.statSync(wal).size : 0;
    // TRUNCATE leaves an empty log when no reader holds a snapshot; the import alone wrote several MB into it
    expect(size).toBe(0);
  });

  it("removes temporary files of dead processes and old unused uploads at start, and keeps the rest", async () => {
    fs.mkdirSync(sb.uploads, { recursive: true });
    const put = (name: string, ageMs = 0) => {
      const p = path.join(sb.uploads, name);
      fs.writeFileSync(p, "x");
      const t = new Date(Date.now() - ageMs);
      fs.utimesSync(p, t, t);
    };
    const sha = (c: string) => c.repeat(64);
    const DAY = 86_400_000;
    put(".upload-999999999-dead.tmp"); // no such process
    put(`.upload-${process.pid}-live.tmp`); // this process: an upload in progress
    put(".upload-oldnaming.tmp", 2 * 3_600_000); // no pid, two hours old
    put(sha("a"), 2 * DAY); // unused, two days old
    put(sha("b"), 2 * DAY); // used by a dataset
    put(sha("c"), 60_000); // unused, a minute old: a preview waiting for its import
    const removed = await removeStaleUploads(sb.uploads, (s) => s === sha("b"));
    expect(removed.sort()).toEqual([".upload-999999999-dead.tmp", ".upload-oldnaming.tmp", sha("a")].sort());
    expect(fs.readdirSync(sb.uploads).sort()).toEqual([`.upload-${process.pid}-live.tmp`, sha("b"), sha("c")].sort());
  });

  it("removes the bytes of a refused file, and keeps those of a file waiting for a mapping", async () => {
    const bad = path.join(sb.dir, "bad.csv");
    fs.writeFileSync(bad, "date,campaign,clicks,spend\n2026-01-05,A,n/a,1\n2026-01-06,B,-3,1\n");
    const err = await refusal(importLocalFile(sb.db, sb.dbPath, bad, { maxBytes: 1 << 20 }));
    expect(err.code).toBe("no_valid_rows");
    expect(fs.readdirSync(sb.uploads).filter((n) => !n.startsWith("."))).toEqual([]);

    const unknown = await refusal(importLocalFile(sb.db, sb.dbPath, fixture("unknown_headers.csv"), { maxBytes: 1 << 20 }));
    expect(unknown.code).toBe("unrecognised_format");
    expect(fs.readdirSync(sb.uploads)).toHaveLength(1);
    expect(count(sb.db, "datasets")).toBe(0);
  });
});

describe("the command line", () => {
  it("refuses a currency the file contradicts (exit 2) and a DATABASE_PATH under a file, naming the setting", async () => {
    const conflict = await cli(["import", fixture("meta_ads.csv"), "--currency", "USD"]);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/currency_conflict.*EUR, but USD was chosen/);
    expect(count(sb.db, "datasets")).toBe(0);

    const file = path.join(sb.dir, "plain-file");
    fs.writeFileSync(file, "x");
    const bad = await cli(["datasets"], { DATABASE_PATH: path.join(file, "db.sqlite") });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/DATABASE_PATH=.*plain-file\/db\.sqlite cannot be used: .*plain-file is a file, not a folder/);
    const proc = await cli(["datasets"], { DATABASE_PATH: "/proc/noisefloor/db.sqlite" });
    expect(proc.code).toBe(2);
    expect(proc.stderr).toMatch(/DATABASE_PATH=\/proc\/noisefloor\/db\.sqlite cannot be used/);
  });
});
