import os from "node:os";
import { z } from "zod";

/**
 * Every setting noisefloor reads, validated once. Import `env` from here; nothing else reads process.env.
 * Documented in README.md ("Settings").
 */
const boolFlag = z
  .enum(["1", "0", "true", "false", "on", "off", "yes", "no"])
  .transform((v) => v === "1" || v === "true" || v === "on" || v === "yes");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** TCP port for `npm start`. */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** SQLite file; uploads are kept in `uploads/` beside it. */
  DATABASE_PATH: z.string().min(1).default("./data/noisefloor.db"),
  /** Largest accepted upload, in megabytes (MiB). */
  UPLOAD_MAX_MB: z.coerce.number().positive().max(4096).default(200),
  /** Load the sample dataset into an empty database at start. */
  SAMPLE_DATA: boolFlag.default(true),
  /**
   * Worker threads that run analysis, campaign detail, the labs and models off the request loop. Default: one fewer
   * than the cores (at least 1, at most 4), so the thread that answers requests always keeps a core.
   */
  WORKER_THREADS: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(Math.max(1, Math.min(4, os.availableParallelism() - 1))),
  /** Heavy requests allowed to wait for a worker; one more is answered 503 with Retry-After. */
  WORKER_QUEUE: z.coerce.number().int().min(0).max(10_000).default(16),
  /** Time limit of one heavy task, in seconds; past it the worker is stopped and the request answered 504. */
  TASK_TIMEOUT_S: z.coerce.number().positive().max(3600).default(60),
  /**
   * Host names (optionally `name:port`) the server answers to besides localhost, 127.0.0.1 and [::1]: comma or
   * space separated, e.g. `noisefloor.lan,10.0.0.5`. Any other Host header is refused (421), which stops DNS
   * rebinding pages from reading the data.
   */
  ALLOWED_HOSTS: z
    .string()
    .default("")
    .transform((s) => s.split(/[\s,]+/).map((h) => h.trim().toLowerCase()).filter((h) => h !== ""))
    .pipe(z.array(z.string().regex(/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]{1,5})?$/, "a host name, IPv4 or [IPv6] address, optionally :port"))),
});

export type Env = z.infer<typeof schema>;

function load(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid settings in the environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

export const env: Env = load();

export const uploadMaxBytes = (): number => Math.floor(env.UPLOAD_MAX_MB * 1024 * 1024);
