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
