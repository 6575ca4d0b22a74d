"use client";

import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, XAxis, YAxis } from "recharts";
import { formatPercent } from "@/lib/format";
import { PALETTE } from "./palette";

export interface CoinBar {
  label: string;
  /** Annualized volatility as a fraction (0.62 = 62%); null when unknown. */
  value: number | null;
  /** True for the campaign (drawn in a different colour). */
  campaign?: boolean;
}

/** Annualized volatility of the campaign's daily revenue surprise next to reference coins' daily returns, as horizontal bars. */
export function CoinChart({ bars, height }: { bars: readonly CoinBar[]; height?: number }) {
  const data = bars.filter((b) => b.value !== null).map((b) => ({ ...b, pct: b.value as number }));
  const h = height ?? 60 + data.length * 44;
  return (
    <ResponsiveContainer width="100%" height={h} initialDimension={{ width: 500, height: h }}>
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 64, bottom: 22, left: 4 }}>
        <CartesianGrid stroke={PALETTE.grid} horizontal={false} />
        <XAxis
          type="number"
          domain={[0, "auto"]}
          tickFormatter={(v: number) => formatPercent(v, 0)}
          tick={{ fill: PALETTE.ink2, fontSize: 12 }}
          label={{ value: "annualized volatility (sd of daily moves × √365)", position: "insideBottom", offset: -14, fill: PALETTE.ink2, fontSize: 12 }}
        />
        <YAxis type="category" dataKey="label" width={120} tick={{ fill: PALETTE.ink, fontSize: 12 }} />
        <Bar dataKey="pct" isAnimationActive={false} barSize={22}>
          {data.map((d) => (
            <Cell key={d.label} fill={d.campaign ? PALETTE.orange : PALETTE.blue} />
          ))}
          <LabelList dataKey="pct" position="right" formatter={(v: unknown) => (typeof v === "number" ? formatPercent(v, 0) : "")} fill={PALETTE.ink} fontSize={12} />
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}
