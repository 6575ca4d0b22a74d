"use client";

import {
  Area,
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type DotItemDotProps,
  type TooltipContentProps,
} from "recharts";
import type { DailyPoint } from "@/lib/analysis/types";
import { formatCount, formatPercent, formatSig, formatShortDate, formatDate, pluralCount } from "@/lib/format";
import type { LegendSwatch } from "./download";
import { PALETTE } from "./palette";

/** Legend of the daily chart (shared with its PNG export). */
const DAILY_LEGEND: readonly LegendSwatch[] = [
  { label: "Inside the 90% band", color: PALETTE.blue, shape: "circle" },
  { label: "Above the band", color: PALETTE.green, shape: "triangle" },
  { label: "Below the band", color: PALETTE.vermillion, shape: "triangle-down" },
  { label: "Expected given the day's clicks", color: PALETTE.ink, shape: "line" },
  { label: "90% band the model expected", color: PALETTE.band, shape: "band" },
];

/** Fill of the provisional days' shading (a light grey, under the band). */
const PROVISIONAL_FILL = "#eceef1";

/** Legend entries added when some days are provisional (conversion lag). */
const PROVISIONAL_LEGEND: readonly LegendSwatch[] = [
  { label: "Provisional days (sales still arriving; lighter marks, band of the sales so far)", color: PROVISIONAL_FILL, shape: "band" },
  { label: "Expected final count of a provisional day", color: PALETTE.purple, shape: "dashed" },
];

/** Colour of the saved changes' lines (Okabe-Ito orange, dashed: never colour alone). */
const CHANGE_COLOR = "#b36b00";

/** A saved change drawn on the chart: its first day and its label (the note, shortened). */
export interface ChartChange {
  date: string;
  label: string;
  /** Where the label sits: right of the line in the chart's first half, left of it in the second (it stays inside). */
  side: "right" | "left";
}

/**
 * The daily chart's legend: DAILY_LEGEND, plus the provisional entries when the series has provisional days, plus
 * the saved changes' line when some are drawn.
 */
export function dailyLegend(daily: readonly DailyPoint[], changes: readonly ChartChange[] = []): readonly LegendSwatch[] {
  const base = daily.some((d) => d.provisional) ? [...DAILY_LEGEND, ...PROVISIONAL_LEGEND] : [...DAILY_LEGEND];
  return changes.length > 0 ? [...base, { label: "Saved change (its note)", color: CHANGE_COLOR, shape: "dashed" }] : base;
}

/** The saved changes that fall on a charted day (a change after the last day has no line yet). */
export function chartChanges(daily: readonly DailyPoint[], markers: readonly { date: string; note: string }[]): ChartChange[] {
  const index = new Map(daily.map((d, i) => [d.date, i]));
  // Labels stay short so that they fit beside their line on a phone; the full note is in the list below.
  const short = (n: string) => (n.length > 16 ? `${n.slice(0, 15).trimEnd()}…` : n);
  return markers
    .filter((m) => index.has(m.date))
    .map((m) => ({ date: m.date, label: short(m.note) || "change", side: (index.get(m.date) as number) < daily.length / 2 ? "right" : "left" }));
}

interface Row extends DailyPoint {
  band: [number, number];
  /** The expected final count, on provisional days only (null elsewhere: no line drawn). */
  finalMean: number | null;
}

function ConversionDot(props: DotItemDotProps) {
  const { cx, cy, payload, index } = props;
  if (typeof cx !== "number" || typeof cy !== "number" || !Number.isFinite(cy)) return <g key={`d-${index}`} />;
  const p = payload as Row;
  // Provisional days: the same shapes, lighter (their count is still growing).
  const opacity = p.provisional ? 0.45 : 1;
  if (p.outside === "above") {
    return <polygon key={`d-${index}`} points={`${cx},${cy - 6} ${cx + 5.5},${cy + 4} ${cx - 5.5},${cy + 4}`} fill={PALETTE.green} fillOpacity={opacity} stroke="#fff" strokeWidth={0.8} />;
  }
  if (p.outside === "below") {
    return <polygon key={`d-${index}`} points={`${cx - 5.5},${cy - 4} ${cx + 5.5},${cy - 4} ${cx},${cy + 6}`} fill={PALETTE.vermillion} fillOpacity={opacity} stroke="#fff" strokeWidth={0.8} />;
  }
  return <circle key={`d-${index}`} cx={cx} cy={cy} r={3} fill={PALETTE.blue} fillOpacity={opacity} stroke={p.provisional ? PALETTE.blue : "#fff"} strokeWidth={0.6} />;
}

function DailyTooltip({ active, payload }: TooltipContentProps) {
  const row = active ? (payload?.[0]?.payload as Row | undefined) : undefined;
  if (!row) return null;
  const status = row.outside === "above" ? "above the band" : row.outside === "below" ? "below the band" : "inside the band";
  return (
    <div className="chart-tooltip">
      <strong>{formatDate(row.date)}</strong>
      <div>
        {pluralCount(row.conversions, "conversion")} from {pluralCount(row.clicks, "click")}
      </div>
      <div>
        expected {formatSig(row.expected)}, 90% band {formatCount(row.lo90)}–{formatCount(row.hi90)}
      </div>
      <div>{status}</div>
      {row.provisional && (
        <div>
          provisional: about {formatPercent(row.completeness, 0)} of its sales have arrived; expected final {formatSig(row.expectedFinal.mean)} (90%:{" "}
          {formatCount(row.expectedFinal.lo90)}–{formatCount(row.expectedFinal.hi90)})
        </div>
      )}
    </div>
  );
}

/**
 * Conversions per day (dots; triangles when outside the band), the expected value given that day's clicks (line)
 * and the 90% band the model expected (shaded). Provisional days (conversion lag) sit on a grey stripe labelled
 * "provisional", with lighter marks, the band and expectation of the sales arrived so far, and a dashed line at the
 * expected final count. Saved changes (`changes`) are dashed vertical lines labelled with their note.
 */
export function DailyChart({ daily, height = 300, changes = [] }: { daily: readonly DailyPoint[]; height?: number; changes?: readonly ChartChange[] }) {
  const data: Row[] = daily.map((d) => ({ ...d, band: [d.lo90, d.hi90], finalMean: d.provisional ? d.expectedFinal.mean : null }));
  const firstProvisional = daily.find((d) => d.provisional)?.date;
  const last = daily.at(-1)?.date;
  return (
    <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 800, height }}>
      <ComposedChart data={data} margin={{ top: 10, right: 12, bottom: 22, left: 4 }}>
        <CartesianGrid stroke={PALETTE.grid} vertical={false} />
        <XAxis
          dataKey="date"
          tickFormatter={(v: string) => formatShortDate(v)}
          minTickGap={24}
          tick={{ fill: PALETTE.ink2, fontSize: 12 }}
          label={{ value: "day", position: "insideBottom", offset: -14, fill: PALETTE.ink2, fontSize: 12 }}
        />
        <YAxis
          allowDecimals={false}
          width={52}
          tick={{ fill: PALETTE.ink2, fontSize: 12 }}
          label={{ value: "conversions per day", angle: -90, position: "insideLeft", offset: 10, dy: 60, fill: PALETTE.ink2, fontSize: 12 }}
        />
        <Tooltip content={DailyTooltip} />
        {firstProvisional && last && (
          <ReferenceArea
            x1={firstProvisional}
            x2={last}
            fill={PROVISIONAL_FILL}
            fillOpacity={1}
            stroke="none"
            ifOverflow="extendDomain"
            label={{ value: "provisional", position: "insideTop", fill: PALETTE.ink2, fontSize: 12 }}
          />
        )}
        <Area
          dataKey="band"
          type="step"
          fill={PALETTE.band}
          stroke={PALETTE.bandStroke}
          strokeWidth={0.5}
          fillOpacity={1}
          isAnimationActive={false}
          name="90% band"
        />
        <Line dataKey="expected" type="monotone" stroke={PALETTE.ink} strokeWidth={1.5} dot={false} activeDot={false} isAnimationActive={false} name="expected" />
        {firstProvisional && (
          <Line
            dataKey="finalMean"
            type="monotone"
            stroke={PALETTE.purple}
            strokeWidth={1.5}
            strokeDasharray="5 4"
            dot={false}
            activeDot={false}
            isAnimationActive={false}
            connectNulls={false}
            name="expected final"
          />
        )}
        {changes.map((c, i) => (
          <ReferenceLine
            key={`${c.date}-${i}`}
            x={c.date}
            className="change-marker-line"
            stroke={CHANGE_COLOR}
            strokeWidth={1.5}
            strokeDasharray="6 3"
            ifOverflow="hidden"
            // alternate heights so that two close changes do not print over each other
            label={{ value: c.label, position: c.side === "right" ? "insideTopLeft" : "insideTopRight", fill: CHANGE_COLOR, fontSize: 12, fontWeight: 600, dy: (i % 2) * 16 }}
          />
        ))}
        <Line
          dataKey="conversions"
          stroke="none"
          dot={ConversionDot}
          activeDot={{ r: 5, fill: PALETTE.orange, stroke: PALETTE.ink }}
          isAnimationActive={false}
          name="conversions"
        />
      </ComposedChart>
    </ResponsiveContainer>
  );
}
