import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { storeFile, storeUpload } from "@/lib/ingest/store";
import { fixture, sandbox, type Sandbox } from "./helpers";

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");

describe("storeUpload", () => {
  it("streams a web ReadableStream to uploads/<sha256>, reporting bytes as they arrive", async () => {
    const bytes = fs.readFileSync(fixture("meta_ads.csv"));
    const parts = [bytes.subarray(0, 100), bytes.subarray(100, 400), bytes.subarray(400)];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of parts) controller.enqueue(new Uint8Array(p));
        controller.close();
      },
    });
    const seen: number[] = [];
    const stored = await storeUpload(stream, { uploadsDir: sb.uploads, maxBytes: 10_000, onBytes: (n) => seen.push(n) });
    expect(stored.sha256).toBe(sha(bytes));
    expect(stored.sizeBytes).toBe(bytes.length);
    expect(stored.path).toBe(path.join(sb.uploads, sha(bytes)));
    expect(fs.readFileSync(stored.path)).toEqual(bytes);
    expect(seen).toEqual([100, 400, bytes.length]);
    expect(fs.readdirSync(sb.uploads)).toEqual([stored.sha256]); // no temporary file left
  });

  it("keeps the copy it already has when the same bytes come again", async () => {
    const first = await storeFile(fixture("orders.csv"), { uploadsDir: sb.uploads, maxBytes: 10_000 });
    const inode = fs.statSync(first.path).ino;
    const second = await storeFile(fixture("orders.csv"), { uploadsDir: sb.uploads, maxBytes: 10_000 });
    expect(second).toEqual(first);
    // the same file, not a new copy renamed over it (its time is refreshed: a recent unused upload is kept at start)
    expect(fs.statSync(first.path).ino).toBe(inode);
    expect(fs.readdirSync(sb.uploads)).toEqual([first.sha256]);
  });

  it("stores a local file of several read chunks byte for byte (one read buffer is reused)", async () => {
    // 2.5 MB of distinct bytes: a chunk overwritten before it was hashed and written would change the copy and its hash
    const bytes = crypto.randomBytes(2.5 * 1024 * 1024);
    const file = path.join(sb.dir, "local.bin");
    fs.writeFileSync(file, bytes);
    const stored = await storeFile(file, { uploadsDir: sb.uploads, maxBytes: bytes.length });
    expect(stored.sha256).toBe(sha(bytes));
    expect(stored.sizeBytes).toBe(bytes.length);
    expect(fs.readFileSync(stored.path).equals(bytes)).toBe(true);
  });

  it("accepts a file of exactly the limit", async () => {
    const size = fs.statSync(fixture("orders.csv")).size;
    const stored = await storeFile(fixture("orders.csv"), { uploadsDir: sb.uploads, maxBytes: size });
    expect(stored.sizeBytes).toBe(size);
  });
});
