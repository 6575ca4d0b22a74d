import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { formatSize } from "@/lib/format";

export interface StoreOptions {
  /** Folder of content-addressed uploads (created if missing). */
  uploadsDir: string;
  /** Largest accepted size in bytes; the upload is refused as soon as it passes this. */
  maxBytes: number;
  /** Called with the running byte count after every chunk (progress bars). */
  onBytes?: (bytesSoFar: number) => void;
}

export interface StoredUpload {
  /** Hex SHA-256 of the bytes: also the file's name in uploadsDir. */
  sha256: string;
  path: string;
  sizeBytes: number;
}


/**
 * Streams an upload to a temporary file in `uploadsDir` while hashing it, then renames it to
 * `uploadsDir/<sha256>` (content-addressed: the same bytes are stored once; an existing copy is kept).
 * Refuses input over `maxBytes` as soon as the limit is passed (too_large) and empty input (empty_file); in both
 * cases the temporary file is deleted and nothing else is written.
 */
export async function storeUpload(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  opts: StoreOptions,
): Promise<StoredUpload> {
  await fs.promises.mkdir(opts.uploadsDir, { recursive: true });
  // the writer's pid in the name: `removeStaleUploads` removes the temporary files of processes that are gone
  const tmp = path.join(opts.uploadsDir, `.upload-${process.pid}-${crypto.randomUUID()}.tmp`);
  const hash = crypto.createHash("sha256");
  const handle = await fs.promises.open(tmp, "wx");
  let size = 0;
  let closed = false;
  const iterator = toAsyncIterator(source);
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = next.value;
      if (chunk.byteLength === 0) continue;
      size += chunk.byteLength;
      if (size > opts.maxBytes) {
        await iterator.return?.();
        throw new AppError(
          "too_large",
          `The file is larger than the ${formatSize(opts.maxBytes, "MB", 1)} limit. Export a shorter period or fewer columns, ` +
            "or ask the administrator to raise UPLOAD_MAX_MB.",
          { maxBytes: opts.maxBytes },
        );
      }
      hash.update(chunk);
      await handle.write(chunk);
      opts.onBytes?.(size);
    }
    await handle.close();
    closed = true;
    if (size === 0) throw new AppError("empty_file", "The file is empty (0 bytes). Choose the CSV export again.");
    const sha256 = hash.digest("hex");
    const final = path.join(opts.uploadsDir, sha256);
    if (fs.existsSync(final)) {
      await fs.promises.rm(tmp, { force: true });
      // fresh again: `removeStaleUploads` keeps recent unused uploads (a preview waiting for its import)
      const now = new Date();
      await fs.promises.utimes(final, now, now).catch(() => {});
    } else {
      await fs.promises.rename(tmp, final);
    }
    return { sha256, path: final, sizeBytes: size };
  } catch (e) {
    // the source too is closed (a local file's handle, a request body), whatever failed
    await iterator.return?.()?.catch(() => {});
    if (!closed) await handle.close().catch(() => {});
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

/** The CLI's way in: copies a local file into the uploads folder exactly as `storeUpload` stores an upload. */
export async function storeFile(filePath: string, opts: StoreOptions): Promise<StoredUpload> {
  let size: number;
  try {
    const st = await fs.promises.stat(filePath);
    if (!st.isFile()) throw new Error("not a file");
    size = st.size;
  } catch {
    throw new AppError("unreadable", `No readable file at ${filePath}.`);
  }
  if (size > opts.maxBytes) {
    throw new AppError("too_large", `The file is larger than the ${formatSize(opts.maxBytes, "MB", 1)} limit.`, { maxBytes: opts.maxBytes });
  }
  return storeUpload(readChunks(filePath), opts);
}

/** Bytes per read of a local file being stored. */
const LOCAL_READ_CHUNK = 1024 * 1024;

/**
 * A local file's bytes, read into ONE buffer again and again: each chunk is only valid until the next is asked for,
 * which is how `storeUpload` uses them (hashed and written before it reads on). A fresh buffer per read touched
 * fresh memory for the whole file: storing a 52 MB file took 204-238 ms as a process's first store and 54-106 ms
 * afterwards; with one buffer, 75-94 ms the first time. (A whole CLI import takes as long as before: the import
 * touches that much fresh memory later instead.)
 */
async function* readChunks(filePath: string): AsyncGenerator<Uint8Array> {
  const handle = await fs.promises.open(filePath, "r");
  try {
    const buffer = Buffer.allocUnsafe(LOCAL_READ_CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

function toAsyncIterator(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncIterator<Uint8Array> {
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  return {
    next: async () => {
      const r = await reader.read();
      return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
    },
    return: async () => {
      await reader.cancel().catch(() => {});
      reader.releaseLock();
      return { done: true, value: undefined };
    },
  };
}

/** An unused upload (no dataset made from it: a preview never imported) is removed after this long, in ms. */
const UNUSED_UPLOAD_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** A temporary file whose writer's pid cannot be read (older naming) is removed after this long, in ms. */
const TMP_MAX_AGE_MS = 60 * 60 * 1000;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * At start: removes what killed or abandoned uploads left in `uploadsDir`: temporary files whose writing process is
 * gone (or, without a pid in the name, older than an hour), and stored uploads that no dataset uses (`isUsed`) and
 * that are older than a day (a preview the user never imported). Returns the names removed. Never throws.
 */
export async function removeStaleUploads(
  uploadsDir: string,
  isUsed: (sha256: string) => boolean,
  now = Date.now(),
): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(uploadsDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const full = path.join(uploadsDir, name);
    try {
      if (name.startsWith(".upload-") && name.endsWith(".tmp")) {
        const pid = /^\.upload-(\d+)-/.exec(name)?.[1];
        const stale = pid !== undefined ? !processAlive(Number(pid)) : now - (await fs.promises.stat(full)).mtimeMs > TMP_MAX_AGE_MS;
        if (!stale) continue;
      } else if (/^[0-9a-f]{64}$/.test(name)) {
        if (isUsed(name)) continue;
        if (now - (await fs.promises.stat(full)).mtimeMs <= UNUSED_UPLOAD_MAX_AGE_MS) continue;
      } else {
        continue;
      }
      await fs.promises.rm(full, { force: true });
      removed.push(name);
    } catch {
      // a file another process removed meanwhile, or one we may not touch: left as it is
    }
  }
  return removed;
}
