"use client";

import { Area, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import type { LagSummary } from "@/lib/analysis/types";
import { formatPercent } from "@/lib/format";
import { PALETTE } from "@/app/_components/palette";

type Row = { age: number; fraction: number; band: [number, number]; lo90: number; hi90: number };

function LagTooltip({ active, payload }: TooltipContentProps) {
  const row = active ? (payload?.[0]?.payload as Row | undefined) : undefined;
  if (!row) return null;
  return (
    <div className="chart-tooltip">
      <strong>
        {row.age} {row.age === 1 ? "day" : "days"} after the click&apos;s day
      </strong>
      <div>{formatPercent(row.fraction, 1)} of final conversions arrived</div>
      {row.lo90 < row.hi90 && (
        <div>
          90% band {formatPercent(row.lo90, 1)}–{formatPercent(row.hi90, 1)}
        </div>
      )}
    </div>
  );
}

/** The completeness curve F(age) (line) with its 90% band (shaded), in percent of final conversions. */
export function LagChart({ points, height = 240 }: { points: LagSummary["completeness"]; height?: number }) {
  const data: Row[] = points.map((p) => ({ ...p, band: [p.lo90, p.hi90] }));
  return (
    <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 600, height }}>
      <ComposedChart data={data} margin={{ top: 10, right: 12, bottom: 22, left: 8 }}>
        <CartesianGrid stroke={PALETTE.grid} vertical={false} />
        <XAxis
          dataKey="age"
          type="number"
          domain={[0, "dataMax"]}
          allowDecimals={false}
          tick={{ fill: PALETTE.ink2, fontSize: 12 }}
          label={{ value: "days since the click's day", position: "insideBottom", offset: -14, fill: PALETTE.ink2, fontSize: 12 }}
        />
        <YAxis
          domain={[0, 1]}
          ticks={[0, 0.25, 0.5, 0.75, 1]}
          tickFormatter={(v: number) => formatPercent(v, 0)}
          width={56}
          tick={{ fill: PALETTE.ink2, fontSize: 12 }}
          label={{ value: "% of final conversions arrived", angle: -90, position: "insideLeft", offset: 4, dy: 90, fill: PALETTE.ink2, fontSize: 12 }}
        />
        <Tooltip content={LagTooltip} />
        <Area dataKey="band" type="monotone" fill={PALETTE.band} stroke={PALETTE.bandStroke} strokeWidth={0.5} fillOpacity={1} isAnimationActive={false} name="90% band" />
        <Line dataKey="fraction" type="monotone" stroke={PALETTE.blue} strokeWidth={2} dot={{ r: 2.5, fill: PALETTE.blue }} isAnimationActive={false} name="arrived" />
      </ComposedChart>
    </ResponsiveContainer>
  );
}
