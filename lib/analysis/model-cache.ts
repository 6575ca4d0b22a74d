import type { ModelResponse, ModelSpec } from "@/lib/engine/contract";
import { runModel } from "@/lib/engine/contract";

/**
 * POST /api/model answers kept by request: a slider dragged back and forth, a shared calculator link opened by a
 * team, or many clients asking the same pool get the figures without another FFT. The key is the validated request
 * (zod output: keys in schema order, defaults applied), so equal requests written differently share an entry.
 * Answers are a few hundred bytes; 512 of them are kept, least recently used first out.
 */
const MAX_ENTRIES = 512;
const cache = new Map<string, ModelResponse>();

/**
 * runModel(spec) through the cache.
 *
 * @returns the model's response (the cached object: callers must not mutate it). Errors are not cached.
 */
export function cachedModel(spec: ModelSpec): ModelResponse {
  const key = JSON.stringify(spec);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const response = runModel(spec);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, response);
  return response;
}
