import type { DistSummary, HistogramPoint } from "@/lib/analysis/types";
import { formatCompact, formatPercent, niceTicks } from "@/lib/format";
import { placeMarkerLabels } from "./marker-labels";
import { CHART_FONT, PALETTE } from "./palette";

/**
 * A fixed-size SVG histogram drawn on the server (no script), for the printable report: bars, the middle 90% shaded,
 * the 5% and 95% quantiles dashed and the mean solid, with labelled axes.
 */
export function StaticHistogram({
  points,
  summary,
  xLabel,
  currency = null,
  width = 640,
  height = 200,
  title,
}: {
  points: readonly HistogramPoint[];
  summary: DistSummary;
  xLabel: string;
  currency?: string | null;
  width?: number;
  height?: number;
  title: string;
}) {
  // Drop far tails below 1e-5 so the mass is visible (as the interactive chart does).
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi && (points[lo]?.p ?? 0) < 1e-5 && (points[lo]?.x ?? 0) < summary.q05) lo++;
  while (hi > lo && (points[hi]?.p ?? 0) < 1e-5 && (points[hi]?.x ?? 0) > summary.q95) hi--;
  const bins = points.slice(lo, hi + 1);
  const first = bins[0];
  const last = bins[bins.length - 1];
  if (!first || !last) return <p className="muted">No distribution to show.</p>;

  const m = { top: 36, right: 16, bottom: 40, left: 52 };
  const iw = width - m.left - m.right;
  const ih = height - m.top - m.bottom;
  const x0 = first.x - first.width / 2;
  const x1 = last.x + last.width / 2;
  const pMax = Math.max(...bins.map((b) => b.p), 1e-12) * 1.05; // 5% headroom above the tallest bar
  const sx = (v: number) => m.left + ((v - x0) / (x1 - x0 || 1)) * iw;
  const sy = (p: number) => m.top + ih - (p / pMax) * ih;
  const xt = niceTicks(x0, x1, 6);
  const yt = niceTicks(0, pMax, 4);
  const fmtX = (v: number) => formatCompact(v, currency);
  const clampX = (v: number) => Math.min(m.left + iw, Math.max(m.left, sx(v)));
  const gap = bins.length < 40 ? 0.15 : 0;

  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${title}: mean ${fmtX(summary.mean)}, 5% quantile ${fmtX(summary.q05)}, 95% quantile ${fmtX(summary.q95)}`}
      fontFamily={CHART_FONT}
      fontSize={11}
      className="static-chart"
    >
      <rect x={clampX(summary.q05)} y={m.top} width={Math.max(0, clampX(summary.q95) - clampX(summary.q05))} height={ih} fill="#fde9c4" />
      {yt.map((t) => (
        <g key={`y${t}`}>
          <line x1={m.left} x2={m.left + iw} y1={sy(t)} y2={sy(t)} stroke={PALETTE.grid} />
          <text x={m.left - 6} y={sy(t)} textAnchor="end" dominantBaseline="middle" fill={PALETTE.ink2}>
            {formatPercent(t, 0)}
          </text>
        </g>
      ))}
      {bins.map((b) => {
        const left = sx(b.x - b.width / 2);
        const w = Math.max(0.5, sx(b.x + b.width / 2) - left);
        return <rect key={b.x} x={left + (w * gap) / 2} y={sy(b.p)} width={Math.max(0.5, w * (1 - gap))} height={m.top + ih - sy(b.p)} fill={PALETTE.blue} />;
      })}
      <line x1={m.left} x2={m.left + iw} y1={m.top + ih} y2={m.top + ih} stroke={PALETTE.ink3} />
      {xt.map((t) => (
        <g key={`x${t}`}>
          <line x1={sx(t)} x2={sx(t)} y1={m.top + ih} y2={m.top + ih + 4} stroke={PALETTE.ink3} />
          <text x={sx(t)} y={m.top + ih + 16} textAnchor="middle" fill={PALETTE.ink2}>
            {fmtX(t)}
          </text>
        </g>
      ))}
      {[
        { v: summary.q05, dash: "5 3", color: PALETTE.vermillion },
        { v: summary.q95, dash: "5 3", color: PALETTE.vermillion },
        { v: summary.mean, dash: undefined, color: PALETTE.ink },
      ].map((r, i) => (
        <line key={`m${i}`} x1={clampX(r.v)} x2={clampX(r.v)} y1={m.top} y2={m.top + ih} stroke={r.color} strokeWidth={1.5} strokeDasharray={r.dash} />
      ))}
      {placeMarkerLabels(
        [
          { px: clampX(summary.q05), text: `5%: ${fmtX(summary.q05)}`, row: 0 },
          { px: clampX(summary.q95), text: `95%: ${fmtX(summary.q95)}`, row: 0 },
          { px: clampX(summary.mean), text: `mean ${fmtX(summary.mean)}`, row: 1 },
        ],
        m.left,
        m.left + iw,
      ).map((l) => (
        <text key={l.text} x={l.cx} y={m.top - 6 - l.row * 15} textAnchor="middle" fill={l.row === 1 ? PALETTE.ink : PALETTE.ink2} fontWeight={l.row === 1 ? 600 : 400}>
          {l.text}
        </text>
      ))}
      <text x={m.left + iw / 2} y={height - 6} textAnchor="middle" fill={PALETTE.ink2}>
        {xLabel}
      </text>
      <text transform={`translate(12 ${m.top + ih / 2}) rotate(-90)`} textAnchor="middle" fill={PALETTE.ink2}>
        probability
      </text>
    </svg>
  );
}
