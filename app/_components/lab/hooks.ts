"use client";

import { useEffect, useRef, useState, type RefObject } from "react";

/** Debounce delay of the labs' sliders (ms): the chart follows a drag without a request per pixel. */
const SLIDER_DEBOUNCE_MS = 130;

/** `value`, updated only after it has stayed unchanged for `delayMs`. */
export function useDebouncedValue<T>(value: T, delayMs = SLIDER_DEBOUNCE_MS): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(t);
  }, [value, delayMs]);
  return debounced;
}

/** The rendered width of an element (updates on resize); `fallback` until it is measured (and on the server). */
export function useElementWidth<T extends HTMLElement>(fallback = 640): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const w = Math.round(el.getBoundingClientRect().width);
      if (w > 0) setWidth(w);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

/**
 * Keeps the page's query string in step with the controls (so a view can be shared) without a navigation: the
 * server page reads the same parameters on a reload.
 *
 * @param search - the query string, with or without its leading "?" ("" clears it); undefined leaves the address alone
 */
export function useSyncedSearch(search: string | undefined): void {
  useEffect(() => {
    if (search === undefined) return;
    const query = search.replace(/^\?/, "");
    const next = `${window.location.pathname}${query ? `?${query}` : ""}`;
    if (next !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(window.history.state, "", next);
  }, [search]);
}
