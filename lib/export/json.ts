/**
 * JSON exports of what is on screen. Pure: runs in the browser. Every export is an envelope naming what it is, when
 * it was made and from what, so a file found later in a downloads folder explains itself:
 * `{ "kind": "campaign-table", "generatedAt": "...", "source": {...}, "data": ... }`.
 *
 * Values are made JSON-safe explicitly (JSON.stringify would silently turn NaN into null and typed arrays into
 * objects keyed "0", "1", ...): typed arrays become arrays, non-finite numbers become null, Dates ISO strings,
 * Maps objects, Sets arrays, bigint strings; undefined object members are dropped.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export interface ExportEnvelope<T extends JsonValue = JsonValue> {
  kind: string;
  generatedAt: string;
  source: Record<string, JsonValue>;
  data: T;
}

/**
 * A deep copy of `value` that JSON can represent exactly (see the module note). Cycles are an error.
 * @example toJsonValue({ a: NaN, b: new Float64Array([1, 2]) }) // { a: null, b: [1, 2] }
 */
export function toJsonValue(value: unknown): JsonValue {
  return convert(value, new Set());
}

function convert(v: unknown, stack: Set<object>): JsonValue {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "number":
      return Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : null;
    case "string":
    case "boolean":
      return v;
    case "bigint":
      return v.toString();
    case "function":
    case "symbol":
      return null;
  }
  const o = v as object;
  if (o instanceof Date) return Number.isFinite(o.getTime()) ? o.toISOString() : null;
  if (ArrayBuffer.isView(o) && !(o instanceof DataView)) {
    return Array.from(o as unknown as ArrayLike<number | bigint>, (x) => convert(x, stack));
  }
  if (stack.has(o)) throw new TypeError("cannot export a value that contains itself");
  stack.add(o);
  try {
    if (Array.isArray(o)) return o.map((x) => convert(x, stack));
    if (o instanceof Set) return Array.from(o, (x) => convert(x, stack));
    const out: { [k: string]: JsonValue } = {};
    const entries = o instanceof Map ? Array.from(o.entries(), ([k, x]) => [String(k), x] as const) : Object.entries(o);
    for (const [k, x] of entries) {
      if (x === undefined || typeof x === "function" || typeof x === "symbol") continue;
      out[k] = convert(x, stack);
    }
    return out;
  } finally {
    stack.delete(o);
  }
}

/**
 * Wraps data in an export envelope.
 * @param kind what the data is, e.g. "campaign-table", "conversions-distribution"
 * @param data anything toJsonValue accepts
 * @param source where it came from, e.g. { datasetId: 3, campaign: "Brand", horizon: "week" }
 * @param now the generation time (default: the current time), injectable for tests
 */
export function exportEnvelope(
  kind: string,
  data: unknown,
  source: Record<string, unknown> = {},
  now: Date = new Date(),
): ExportEnvelope {
  const src = toJsonValue(source);
  return {
    kind,
    generatedAt: now.toISOString(),
    source: src !== null && typeof src === "object" && !Array.isArray(src) ? src : {},
    data: toJsonValue(data),
  };
}

/** Pretty JSON text (2-space indent, trailing newline) of an export envelope. */
export function toJsonText(kind: string, data: unknown, source: Record<string, unknown> = {}, now: Date = new Date()): string {
  return `${JSON.stringify(exportEnvelope(kind, data, source, now), null, 2)}\n`;
}

/**
 * A safe file name stem: letters, digits, dot, dash and underscore; other runs become "-"; at most 80 characters.
 * @example fileStem("Brand Search / week") // "brand-search-week"
 */
export function fileStem(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80)
    .replace(/[-.]+$/g, "");
  return s || "export";
}
