import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureDatabaseFolder, openDatabase, SettingError } from "@/db/client";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-dbpath-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function settingError(fn: () => unknown): SettingError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SettingError) return e;
    throw e;
  }
  throw new Error("expected a SettingError");
}

describe("DATABASE_PATH", () => {
  it("creates missing folders, one level after another", () => {
    const file = path.join(dir, "a", "b", "c", "noisefloor.db");
    ensureDatabaseFolder(file);
    expect(fs.statSync(path.dirname(file)).isDirectory()).toBe(true);
    const db = openDatabase(file);
    expect(db.$client.pragma("journal_mode", { simple: true })).toBe("wal");
    db.$client.close();
  });

  it("refuses a path under a file, naming the setting and the file", () => {
    const plain = path.join(dir, "plain");
    fs.writeFileSync(plain, "x");
    const e = settingError(() => openDatabase(path.join(plain, "sub", "noisefloor.db")));
    expect(e.message).toMatch(/^DATABASE_PATH=.* cannot be used: .*plain is a file, not a folder/);
  });

  it("refuses system folders without trying to create anything there", () => {
    for (const p of ["/proc/noisefloor/x.db", "/sys/x.db", "/dev/noisefloor.db"]) {
      expect(settingError(() => ensureDatabaseFolder(p)).message).toMatch(/is a system folder, not storage/);
    }
  });

  it("refuses a folder, and a file that is not a database", () => {
    expect(settingError(() => openDatabase(dir)).message).toMatch(/is a folder, not a database file/);
    const text = path.join(dir, "notes.txt");
    fs.writeFileSync(text, "this is not a database, just a few words of text ".repeat(200));
    expect(settingError(() => openDatabase(text)).message).toMatch(/^DATABASE_PATH=.*notes\.txt cannot be opened as a database \(SQLITE_NOTADB\)/);
  });
});
