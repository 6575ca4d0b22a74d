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

/**
 * Stacks marker labels above a plot in rows so that none is drawn over another: each label, centred on its line and
 * kept inside [lo, hi], takes the first row where it clears the labels already there by 6px. Given as many rows as
 * labels, every label finds one; with fewer, a label that fits none goes on the last row.
 * @param items - each label's line position px and text, in drawing order
 * @param rows - rows available (0 is the row just above the plot)
 * @example stackMarkerLabels([{ px: 100, text: "mean 5" }, { px: 100, text: "mean 6" }], 0, 400, 2) // rows 0 and 1
 */
export function stackMarkerLabels(items: readonly { px: number; text: string }[], lo: number, hi: number, rows: number): { cx: number; row: number }[] {
  const taken: { l: number; r: number }[][] = Array.from({ length: rows }, () => []);
  return items.map((it) => {
    const w = labelWidth(it.text);
    const cx = Math.min(hi - w / 2, Math.max(lo + w / 2, it.px));
    for (let row = 0; row < rows; row++) {
      const clash = (taken[row] ?? []).some((s) => cx - w / 2 < s.r + 6 && cx + w / 2 > s.l - 6);
      if (!clash) {
        taken[row]?.push({ l: cx - w / 2, r: cx + w / 2 });
        return { cx, row };
      }
    }
    return { cx, row: rows - 1 };
  });
}
