"use client";

import type { HistogramPoint } from "@/lib/analysis/types";
import { formatPercent, niceTicks } from "@/lib/format";
import { CHART_FONT, PALETTE } from "@/app/_components/palette";
import { useElementWidth } from "./hooks";
import { stackMarkerLabels } from "@/app/_components/marker-labels";

/** One distribution drawn as a filled step outline. */
export interface HistSeries {
  key: string;
  label: string;
  color: string;
  /** Bins, x at the centre. */
  points: readonly HistogramPoint[];
  /** Probability masses drawn as spikes with a dot on top (a collar's floor and cap). */
  atoms?: readonly { x: number; p: number; label: string }[];
  /** Outline dash ("6 3"); solid when absent. */
  dash?: string;
}

/** A vertical line across the plot with a label above it. */
export interface ChartMarker {
  x: number;
  label: string;
  color: string;
  dash?: string;
  /** data-testid of the line (for browser tests). */
  testId?: string;
}

export interface HistogramChartProps {
  series: readonly HistSeries[];
  markers?: readonly ChartMarker[];
  xLabel: string;
  /** Tick labels on the x axis. */
  formatX: (v: number) => string;
  /**
   * "probability": bar height = the bin's probability. "density": bar height = probability per `refWidth` of x, so
   * series binned at different widths share one honest axis (a narrow pooled distribution stands taller).
   */
  mode?: "probability" | "density";
  refWidth?: number;
  /** y axis title (default "probability" or "probability per bin"). */
  yLabel?: string;
  height?: number;
  /** Accessible summary of the chart. */
  ariaLabel: string;
  testId?: string;
}

const M = { top: 16, right: 14, bottom: 42, left: 50 };
const LABEL_ROW = 14;

/**
 * Distributions on one x axis: each series a filled step outline (bins), optional spikes for point masses, and
 * vertical markers (means, quantiles) labelled above the plot. An SVG with explicit attributes, so the PNG export
 * of ChartFrame draws it as seen.
 */
export function HistogramChart({
  series,
  markers = [],
  xLabel,
  formatX,
  mode = "probability",
  refWidth,
  yLabel,
  height = 300,
  ariaLabel,
  testId,
}: HistogramChartProps) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const iw = Math.max(40, width - M.left - M.right);

  const scaleOf = (p: HistogramPoint) => (mode === "density" && refWidth && p.width > 0 ? refWidth / p.width : 1);
  let x0 = Infinity;
  let x1 = -Infinity;
  let yMax = 0;
  for (const s of series) {
    for (const p of s.points) {
      x0 = Math.min(x0, p.x - p.width / 2);
      x1 = Math.max(x1, p.x + p.width / 2);
      yMax = Math.max(yMax, p.p * scaleOf(p));
    }
    for (const a of s.atoms ?? []) {
      x0 = Math.min(x0, a.x);
      x1 = Math.max(x1, a.x);
      yMax = Math.max(yMax, a.p);
    }
  }
  for (const mk of markers) {
    if (Number.isFinite(mk.x)) {
      x0 = Math.min(x0, mk.x);
      x1 = Math.max(x1, mk.x);
    }
  }
  if (!Number.isFinite(x0) || !Number.isFinite(x1)) {
    return (
      <div ref={ref} className="muted" data-testid={testId}>
        No distribution to show.
      </div>
    );
  }
  if (x1 <= x0) {
    x0 -= 0.5;
    x1 += 0.5;
  }
  const pad = (x1 - x0) * 0.02;
  x0 -= pad;
  x1 += pad;
  yMax = yMax > 0 ? yMax * 1.08 : 1;
  const sx = (v: number) => M.left + ((v - x0) / (x1 - x0)) * iw;
  // As many label rows above the plot as the labels need (one each at most), so that none is drawn over another.
  const labelled = stackMarkerLabels(
    markers.map((m) => ({ px: sx(m.x), text: m.label })),
    M.left,
    M.left + iw,
    Math.max(1, markers.length),
  );
  const rows = Math.max(1, ...labelled.map((l) => l.row + 1));
  const top = M.top + rows * LABEL_ROW;
  const ih = Math.max(40, height - top - M.bottom);
  const sy = (p: number) => top + ih - (p / yMax) * ih;
  const xTicks = niceTicks(x0, x1, Math.max(3, Math.min(7, Math.floor(iw / 80))));
  const yTicks = niceTicks(0, yMax, 4);

  const areaPath = (s: HistSeries) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    if (pts.length === 0) return "";
    const base = sy(0);
    let d = "";
    let prevRight: number | null = null;
    for (const p of pts) {
      const l = sx(p.x - p.width / 2);
      const r = sx(p.x + p.width / 2);
      const y = sy(p.p * scaleOf(p));
      if (prevRight === null || Math.abs(l - prevRight) > 0.5) {
        if (prevRight !== null) d += `L${prevRight.toFixed(2)},${base.toFixed(2)}`;
        d += `M${l.toFixed(2)},${base.toFixed(2)}`;
      }
      d += `L${l.toFixed(2)},${y.toFixed(2)}L${r.toFixed(2)},${y.toFixed(2)}`;
      prevRight = r;
    }
    if (prevRight !== null) d += `L${prevRight.toFixed(2)},${base.toFixed(2)}Z`;
    return d;
  };

  const yTitle = yLabel ?? (mode === "density" ? "probability per band" : "probability");

  return (
    <div ref={ref} className="lab-chart-box" data-testid={testId}>
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={ariaLabel}
        fontFamily={CHART_FONT}
        fontSize={11}
        className="lab-chart-svg"
      >
        {yTicks.map((t) => (
          <g key={`y${t}`}>
            <line x1={M.left} x2={M.left + iw} y1={sy(t)} y2={sy(t)} stroke={PALETTE.grid} />
            <text x={M.left - 6} y={sy(t)} textAnchor="end" dominantBaseline="middle" fill={PALETTE.ink2}>
              {formatPercent(t, 0)}
            </text>
          </g>
        ))}
        {series.map((s) => (
          <path key={s.key} d={areaPath(s)} fill={s.color} fillOpacity={0.28} stroke={s.color} strokeWidth={1.6} strokeDasharray={s.dash} strokeLinejoin="round">
            <title>{s.label}</title>
          </path>
        ))}
        {series.flatMap((s) =>
          (s.atoms ?? []).map((a) => (
            <g key={`${s.key}-${a.label}`} data-testid={`atom-${a.label}`}>
              <line x1={sx(a.x)} x2={sx(a.x)} y1={sy(0)} y2={sy(a.p)} stroke={s.color} strokeWidth={3} />
              <circle cx={sx(a.x)} cy={sy(a.p)} r={4} fill={s.color} stroke="#fff" strokeWidth={1} />
              <text x={sx(a.x) + 6} y={Math.max(top + 10, sy(a.p) - 4)} fill={PALETTE.ink} fontWeight={600}>
                {`${a.label} ${formatPercent(a.p, 0)}`}
              </text>
              <title>{`${s.label}: ${formatPercent(a.p)} of outcomes land on the ${a.label}`}</title>
            </g>
          )),
        )}
        {markers.map((m, i) => (
          <line
            key={`m${i}`}
            x1={sx(m.x)}
            x2={sx(m.x)}
            y1={top}
            y2={top + ih}
            stroke={m.color}
            strokeWidth={1.6}
            strokeDasharray={m.dash}
            data-testid={m.testId}
          />
        ))}
        {markers.map((m, i) => {
          const at = labelled[i];
          if (!at) return null;
          return (
            <text key={`ml${i}`} x={at.cx} y={top - 5 - at.row * LABEL_ROW} textAnchor="middle" fill={m.color === PALETTE.ink ? PALETTE.ink : PALETTE.ink2}>
              {m.label}
            </text>
          );
        })}
        <line x1={M.left} x2={M.left + iw} y1={top + ih} y2={top + ih} stroke={PALETTE.ink3} />
        {xTicks.map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={top + ih} y2={top + ih + 4} stroke={PALETTE.ink3} />
            <text x={sx(t)} y={top + ih + 16} textAnchor="middle" fill={PALETTE.ink2}>
              {formatX(t)}
            </text>
          </g>
        ))}
        <text x={M.left + iw / 2} y={height - 6} textAnchor="middle" fill={PALETTE.ink2} fontSize={12}>
          {xLabel}
        </text>
        <text transform={`translate(12 ${top + ih / 2}) rotate(-90)`} textAnchor="middle" fill={PALETTE.ink2} fontSize={12}>
          {yTitle}
        </text>
      </svg>
    </div>
  );
}
