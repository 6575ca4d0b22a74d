/** A label for a vertical marker line (quantile, mean) above a plot. */
export interface MarkerLabel {
  /** Pixel position of the marker line. */
  px: number;
  text: string;
  /** 0 = just above the plot, 1 = above that. */
  row: 0 | 1;
}

/** Rough width of 11px text in pixels: average glyph ~6.2px (system sans), enough to keep labels apart. */
export const labelWidth = (text: string): number => text.length * 6.2;

/**
 * Centres marker labels on their lines, then keeps them readable: a label near an edge of the plot [lo, hi] is shifted
 * inward, and two labels on the same row that would overlap are pushed apart around their midpoint (6px gap).
 * Labels whose position is not finite are dropped.
 * @example placeMarkerLabels([{ px: 2, text: "5%", row: 0 }], 0, 100)[0].cx // 6.2 (half of 12.4px, moved inside)
 */
export function placeMarkerLabels(marks: readonly MarkerLabel[], lo: number, hi: number): (MarkerLabel & { cx: number; w: number })[] {
  const placed = marks
    .filter((m) => Number.isFinite(m.px))
    .map((m) => {
      const w = labelWidth(m.text);
      return { ...m, w, cx: Math.min(hi - w / 2, Math.max(lo + w / 2, m.px)) };
    });
  for (let i = 0; i < placed.length; i++)
    for (let j = i + 1; j < placed.length; j++) {
      const a = placed[i]!;
      const b = placed[j]!;
      if (a.row !== b.row) continue;
      const [l, r] = a.cx <= b.cx ? [a, b] : [b, a];
      const need = (l.w + r.w) / 2 + 6;
      if (r.cx - l.cx >= need) continue;
      const mid = (l.cx + r.cx) / 2;
      l.cx = Math.max(lo + l.w / 2, mid - need / 2);
      r.cx = Math.min(hi - r.w / 2, l.cx + need);
    }
  return placed;
}
