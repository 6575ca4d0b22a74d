import { z } from "zod";
import { MAPPABLE_FIELDS } from "@/lib/types/ingest";

/** A column mapping from the user: field -> header text (null = "this file has no such column"). */
export const mappingSchema = z
  .partialRecord(z.enum(MAPPABLE_FIELDS), z.string().trim().min(1).max(200).nullable())
  .refine((m) => Object.keys(m).length <= MAPPABLE_FIELDS.length, "too many fields");

/** Mapping passed as a JSON string in a query parameter. */
export const mappingParamSchema = z
  .string()
  .max(4000)
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a JSON object like {\"clicks\":\"Link clicks\"}" });
      return z.NEVER;
    }
  })
  .pipe(mappingSchema);

export const fileNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  // Control characters and path separators become "_" (the name is only displayed and used in download names).
  .transform((s) => Array.from(s, (ch) => (ch.charCodeAt(0) < 32 || ch === "/" || ch === "\\" ? "_" : ch)).join(""));

export const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 letters, digits, - or _");

export const datasetNameSchema = z.string().trim().min(1).max(200);

/** A currency the user gives at import: an ISO 4217 code of three letters (case-insensitive, stored upper-case). */
export const currencySchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 currency code of 3 letters, e.g. EUR")
  .transform((s) => s.toUpperCase());
