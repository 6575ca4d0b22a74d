import type { ModelResponse, ModelSpec } from "@/lib/engine/contract";
import { runModel } from "@/lib/engine/contract";
import { cacheNamespace } from "./cache";

/**
 * POST /api/model answers kept by request: a slider dragged back and forth, a shared calculator link opened by a
 * team, or many clients asking the same pool get the figures without another FFT. The key is the validated request
 * (zod output: keys in schema order, defaults applied), so equal requests written differently share an entry.
 * Answers are a few hundred bytes; 512 of them are kept (namespace "model" of ./cache.ts), least recently used
 * first out. Model answers depend on the request alone, not on stored data, so their key has no data revision.
 */
const models = cacheNamespace<ModelResponse>("model", 512);

/**
 * runModel(spec) through the cache.
 *
 * @returns the model's response (the cached object: callers must not mutate it). Errors are not cached.
 */
export function cachedModel(spec: ModelSpec): ModelResponse {
  return models.getOrCompute(JSON.stringify(spec), () => runModel(spec));
}
