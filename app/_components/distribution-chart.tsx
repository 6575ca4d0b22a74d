"use client";

import {
  Bar,
  BarChart,
  CartesianGrid,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  usePlotArea,
  useXAxisScale,
  type TooltipContentProps,
} from "recharts";
import type { DistSummary, HistogramPoint } from "@/lib/analysis/types";
import { currencyFormatter, formatCompact, formatCount, formatPercent, formatSig, niceTicks } from "@/lib/format";
import type { LegendSwatch } from "./download";
import { placeMarkerLabels } from "./marker-labels";
import { PALETTE } from "./palette";

export interface DistributionChartProps {
  points: readonly HistogramPoint[];
  summary: DistSummary;
  /** "count" for conversions, "currency" for revenue. */
  kind: "count" | "currency";
  currency: string | null;
  /** X axis title, e.g. "conversions in a week". */
  xLabel: string;
  height?: number;
}

/** Legend of a distribution chart (shared with its PNG export). */
export const DISTRIBUTION_LEGEND: readonly LegendSwatch[] = [
  { label: "Probability of each outcome", color: PALETTE.blue, shape: "square" },
  { label: "Middle 90% (5% to 95%)", color: "#fde9c4", shape: "band" },
  { label: "5% and 95% quantiles", color: PALETTE.vermillion, shape: "dashed" },
  { label: "Mean", color: PALETTE.ink, shape: "line" },
];

/**
 * The bins worth drawing: trailing and leading bins whose probability is below 1e-5 of the total are dropped, so a
 * long thin tail does not squeeze the visible mass into a corner (the CSV keeps every bin).
 */
function visibleBins(points: readonly HistogramPoint[], summary: DistSummary): HistogramPoint[] {
  const cut = 1e-5;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi && (points[lo]?.p ?? 0) < cut && (points[lo]?.x ?? 0) < summary.q05) lo++;
  while (hi > lo && (points[hi]?.p ?? 0) < cut && (points[hi]?.x ?? 0) > summary.q95) hi--;
  return points.slice(lo, hi + 1);
}

/**
 * Labels of the quantile and mean lines above the plot (see placeMarkerLabels): kept inside the chart's width and
 * apart from each other. Row 0 sits just above the plot, row 1 above it.
 */
function MarkerLabels({ marks }: { marks: { x: number; text: string; row: 0 | 1 }[] }) {
  const plot = usePlotArea();
  const scale = useXAxisScale();
  if (!plot || !scale) return null;
  const placed = placeMarkerLabels(
    marks.map((m) => {
      const px = scale(m.x);
      return { px: typeof px === "number" ? px : Number.NaN, text: m.text, row: m.row };
    }),
    plot.x,
    plot.x + plot.width,
  );
  return (
    <g className="marker-labels">
      {placed.map((m) => (
        <text key={m.text} x={m.cx} y={plot.y - 6 - m.row * 15} textAnchor="middle" fontSize={11} fontWeight={m.row === 1 ? 600 : 400} fill={m.row === 1 ? PALETTE.ink : PALETTE.ink2}>
          {m.text}
        </text>
      ))}
    </g>
  );
}

/** Probability distribution of an outcome over the horizon, with the 5%/95% quantiles and the mean marked. */
export function DistributionChart({ points, summary, kind, currency, xLabel, height = 260 }: DistributionChartProps) {
  const bins = visibleBins(points, summary);
  const money = currencyFormatter(currency, { digits: 0 });
  const fmtX = (v: number) => (kind === "currency" ? money(v) : formatCount(v));
  const tickX = (v: number) => (kind === "currency" ? formatCompact(v, currency) : formatCompact(v));
  const first = bins[0];
  const last = bins[bins.length - 1];
  if (!first || !last) return <p className="muted">No distribution to show.</p>;
  const domain: [number, number] = [first.x - first.width / 2, last.x + last.width / 2];
  const data = bins.map((b) => ({ x: b.x, p: b.p, width: b.width }));
  const ticks = niceTicks(domain[0], domain[1], 5).filter((t) => kind !== "count" || Number.isInteger(t));

  const tooltip = ({ active, payload }: TooltipContentProps) => {
    const row = active ? (payload?.[0]?.payload as { x: number; p: number; width: number } | undefined) : undefined;
    if (!row) return null;
    const what = kind === "count" && row.width === 1 ? `exactly ${fmtX(row.x)}` : `about ${fmtX(row.x)}`;
    return (
      <div className="chart-tooltip">
        <strong>{what}</strong>
        <div>probability {formatPercent(row.p)}</div>
      </div>
    );
  };

  return (
    <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 500, height }}>
      <BarChart data={data} margin={{ top: 38, right: 18, bottom: 22, left: 4 }} barCategoryGap={kind === "count" && bins.length < 40 ? "15%" : 0}>
        <CartesianGrid stroke={PALETTE.grid} vertical={false} />
        <ReferenceArea x1={summary.q05} x2={summary.q95} fill="#fde9c4" fillOpacity={0.7} ifOverflow="extendDomain" />
        <XAxis
          dataKey="x"
          type="number"
          domain={domain}
          ticks={ticks}
          allowDecimals={kind !== "count"}
          tickFormatter={tickX}
          tick={{ fill: PALETTE.ink2, fontSize: 12 }}
          label={{ value: xLabel, position: "insideBottom", offset: -14, fill: PALETTE.ink2, fontSize: 12 }}
        />
        <YAxis
          tickFormatter={(v: number) => formatPercent(v, 0)}
          width={52}
          tick={{ fill: PALETTE.ink2, fontSize: 12 }}
          label={{ value: "probability", angle: -90, position: "insideLeft", offset: 10, dy: 36, fill: PALETTE.ink2, fontSize: 12 }}
        />
        <Tooltip content={tooltip} cursor={{ fill: "rgba(0,0,0,0.06)" }} />
        <Bar dataKey="p" fill={PALETTE.blue} isAnimationActive={false} name="probability" />
        <ReferenceLine
          x={summary.q05}
          stroke={PALETTE.vermillion}
          strokeDasharray="5 3"
          strokeWidth={1.5}
        />
        <ReferenceLine
          x={summary.q95}
          stroke={PALETTE.vermillion}
          strokeDasharray="5 3"
          strokeWidth={1.5}
        />
        <ReferenceLine
          x={summary.mean}
          stroke={PALETTE.ink}
          strokeWidth={1.5}
        />
        <MarkerLabels
          marks={[
            { x: summary.q05, text: `5%: ${fmtX(summary.q05)}`, row: 0 },
            { x: summary.q95, text: `95%: ${fmtX(summary.q95)}`, row: 0 },
            { x: summary.mean, text: `mean ${kind === "currency" ? money(summary.mean) : formatSig(summary.mean)}`, row: 1 },
          ]}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}
