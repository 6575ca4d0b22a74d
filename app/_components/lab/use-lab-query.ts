"use client";

import { keepPreviousData, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";

/** The most recent successful answer cached under `[name, ...]` (any key), or undefined. */
function latestSuccess<T>(qc: QueryClient, name: string): T | undefined {
  let best: { at: number; data: T } | undefined;
  for (const q of qc.getQueryCache().findAll({ queryKey: [name] })) {
    if (q.state.status !== "success" || q.state.data === undefined) continue;
    if (!best || q.state.dataUpdatedAt > best.at) best = { at: q.state.dataUpdatedAt, data: q.state.data as T };
  }
  return best?.data;
}

export interface LabQuery<T> {
  /** The answer for the current key, or the latest earlier one while it loads or when it failed. */
  data: T | undefined;
  /** True while `data` belongs to an earlier key (loading, or the current key failed). */
  stale: boolean;
  /** The API's message when the current key failed. */
  error: string | null;
  fetching: boolean;
}

/**
 * A lab's server answer for the current (debounced) request key. The previous answer stays on screen while the
 * next loads (react-query's placeholder) and when it fails, so a chart never blanks under a slider.
 *
 * @param name - first element of the query key (one per lab)
 * @param key - a string identifying the request (e.g. its URL or JSON body)
 * @param fetcher - loads the answer for `key`; throws an Error with the API's message on failure
 * @param initial - the answer the server page rendered with, and the key it belongs to
 */
export function useLabQuery<T>(
  name: string,
  key: string,
  fetcher: (signal: AbortSignal) => Promise<T>,
  initial?: { key: string; data: T },
): LabQuery<T> {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: [name, key],
    queryFn: ({ signal }) => fetcher(signal),
    placeholderData: keepPreviousData,
    initialData: initial && initial.key === key ? initial.data : undefined,
    staleTime: 5 * 60_000,
    retry: false,
  });
  const fallback = q.data === undefined ? latestSuccess<T>(qc, name) ?? (initial ? initial.data : undefined) : undefined;
  return {
    data: q.data ?? fallback,
    stale: q.isPlaceholderData || (q.data === undefined && fallback !== undefined),
    error: q.isError ? (q.error instanceof Error ? q.error.message : "Something went wrong.") : null,
    fetching: q.isFetching,
  };
}
