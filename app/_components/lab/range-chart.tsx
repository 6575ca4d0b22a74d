"use client";

import { formatPercent, niceTicks } from "@/lib/format";
import { CHART_FONT, PALETTE } from "@/app/_components/palette";
import { useElementWidth } from "./hooks";

export interface RangeRow {
  label: string;
  /** Used when the label does not fit the chart's width. */
  short?: string;
  /** 5% and 95% quantiles relative to the row's own mean (-0.4 = 40% below). */
  lo: number;
  hi: number;
  color: string;
  testId?: string;
}

const M = { top: 8, right: 16, bottom: 40, left: 16 };
const ROW_H = 54;

/**
 * Where 90% of outcomes fall, each row relative to its own mean: a bar from the 5% to the 95% quantile around a
 * line at the mean (0%). Rows of different sizes (one budget, a whole pool) become comparable.
 */
export function RangeChart({ rows }: { rows: readonly RangeRow[] }) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const height = M.top + rows.length * ROW_H + M.bottom;
  const iw = Math.max(40, width - M.left - M.right);
  const ext = Math.max(0.05, ...rows.map((r) => Math.max(Math.abs(r.lo), Math.abs(r.hi)))) * 1.15;
  const sx = (v: number) => M.left + ((v + ext) / (2 * ext)) * iw;
  const ticks = niceTicks(-ext, ext, Math.max(2, Math.min(8, Math.floor(iw / 80))));
  const top = M.top;
  const bottom = M.top + rows.length * ROW_H;
  return (
    <div ref={ref} className="lab-chart-box">
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={rows.map((r) => `${r.label}: ${formatPercent(r.lo, 0)} to +${formatPercent(r.hi, 0)} around its mean`).join("; ")}
        fontFamily={CHART_FONT}
        fontSize={11}
        className="lab-chart-svg"
      >
        {ticks.map((t) => (
          <g key={`t${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={top} y2={bottom} stroke={PALETTE.grid} />
            <text x={sx(t)} y={bottom + 16} textAnchor="middle" fill={PALETTE.ink2}>
              {t > 0 ? `+${formatPercent(t, 0)}` : formatPercent(t, 0)}
            </text>
          </g>
        ))}
        <line x1={sx(0)} x2={sx(0)} y1={top} y2={bottom} stroke={PALETTE.ink} strokeWidth={1.5} />
        {rows.map((r, i) => {
          const y = top + i * ROW_H;
          const l = sx(r.lo);
          const rr = sx(r.hi);
          const loText = formatPercent(r.lo, 0);
          const hiText = `+${formatPercent(r.hi, 0)}`;
          return (
            <g key={r.label} data-testid={r.testId}>
              <text x={M.left} y={y + 14} fill={PALETTE.ink} fontWeight={600} fontSize={12}>
                {r.label.length * 6.9 > iw && r.short ? r.short : r.label}
              </text>
              <rect x={l} y={y + 22} width={Math.max(2, rr - l)} height={18} rx={3} fill={r.color} fillOpacity={0.85} />
              <text x={l - 4} y={y + 35} textAnchor="end" fill={PALETTE.ink}>
                {l - 4 - loText.length * 6.2 > M.left ? loText : ""}
              </text>
              <text x={rr + 4} y={y + 35} fill={PALETTE.ink}>
                {rr + 4 + hiText.length * 6.2 < M.left + iw ? hiText : ""}
              </text>
            </g>
          );
        })}
        <text x={M.left + iw / 2} y={height - 6} textAnchor="middle" fill={PALETTE.ink2} fontSize={12}>
          {iw > 420 ? "5% to 95% of outcomes, relative to each one's own mean" : "5%–95% of outcomes vs own mean"}
        </text>
      </svg>
    </div>
  );
}
