"use client";

import { formatNumber, formatPercent, niceTicks } from "@/lib/format";
import { CHART_FONT, PALETTE } from "@/app/_components/palette";
import { useElementWidth } from "./hooks";

export interface CvCurveChartProps {
  /** Closed form CV_1 sqrt(rho + (1 - rho) / k) at increasing k. */
  curve: readonly { k: number; cv: number }[];
  /** CV of exact lattices at a few k. */
  exact: readonly { k: number; cv: number }[];
  /** CV_1 sqrt(rho); drawn when rho > 0. */
  floor: number;
  rho: number;
  /** The chosen pool size and its CV. */
  k: number;
  cvAtK: number;
  /** The CV target of the sentence (fraction). */
  target: number;
  height?: number;
}

const M = { top: 16, right: 16, bottom: 42, left: 50 };
const K_MAX = 1000;

/**
 * CV of one budget's share against pool size on a log axis: the closed form as a line, exact lattice results as
 * dots, the correlation floor CV_1 sqrt(rho) dashed, the target dotted and the chosen k marked.
 */
export function CvCurveChart({ curve, exact, floor, rho, k, cvAtK, target, height = 280 }: CvCurveChartProps) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const iw = Math.max(40, width - M.left - M.right);
  const ih = Math.max(40, height - M.top - M.bottom);
  const cvMax = Math.max(...curve.map((c) => c.cv), ...exact.map((e) => e.cv), target, 1e-9) * 1.08;
  const sx = (kk: number) => M.left + (Math.log10(Math.max(1, kk)) / Math.log10(K_MAX)) * iw;
  const sy = (cv: number) => M.top + ih - (Math.min(cv, cvMax) / cvMax) * ih;
  const yTicks = niceTicks(0, cvMax, 4);
  const minor = [2, 3, 4, 5, 6, 7, 8, 9, 20, 30, 40, 50, 60, 70, 80, 90, 200, 300, 400, 500, 600, 700, 800, 900];
  const line = curve.map((c, i) => `${i === 0 ? "M" : "L"}${sx(c.k).toFixed(2)},${sy(c.cv).toFixed(2)}`).join("");
  const showFloor = rho > 0 && floor > 0;
  const kLabel = `k = ${formatNumber(k, 0)}: ${formatPercent(cvAtK)}`;
  const kx = sx(k);
  const kLabelW = kLabel.length * 6.4;
  const kLabelX = Math.min(M.left + iw - kLabelW / 2, Math.max(M.left + kLabelW / 2, kx));
  const targetVisible = target < cvMax;

  return (
    <div ref={ref} className="lab-chart-box" data-testid="cv-curve-chart">
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`CV against pool size: ${formatPercent(curve[0]?.cv ?? 0)} alone, ${kLabel}${showFloor ? `, floor ${formatPercent(floor)}` : ""}`}
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
        {minor.map((t) => (
          <line key={`mn${t}`} x1={sx(t)} x2={sx(t)} y1={M.top + ih} y2={M.top + ih + 3} stroke={PALETTE.ink3} />
        ))}
        {[1, 10, 100, 1000].map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={M.top} y2={M.top + ih} stroke={PALETTE.grid} />
            <line x1={sx(t)} x2={sx(t)} y1={M.top + ih} y2={M.top + ih + 5} stroke={PALETTE.ink3} />
            <text x={sx(t)} y={M.top + ih + 17} textAnchor="middle" fill={PALETTE.ink2}>
              {formatNumber(t, 0)}
            </text>
          </g>
        ))}
        {targetVisible && (
          <g data-testid="cv-target-line">
            <line x1={M.left} x2={M.left + iw} y1={sy(target)} y2={sy(target)} stroke={PALETTE.green} strokeWidth={1.5} strokeDasharray="2 3" />
            <text x={M.left + 4} y={sy(target) - 4} fill={PALETTE.green} fontWeight={600}>
              {`target ${formatPercent(target, 0)}`}
            </text>
          </g>
        )}
        {showFloor && (
          <g>
            <line
              x1={M.left}
              x2={M.left + iw}
              y1={sy(floor)}
              y2={sy(floor)}
              stroke={PALETTE.vermillion}
              strokeWidth={1.8}
              strokeDasharray="7 4"
              data-testid="cv-floor-line"
            />
            <text x={M.left + iw - 4} y={sy(floor) + 14} textAnchor="end" fill={PALETTE.vermillion} fontWeight={600}>
              {`floor CV₁√ρ = ${formatPercent(floor)}`}
            </text>
          </g>
        )}
        <path d={line} fill="none" stroke={PALETTE.blue} strokeWidth={2.2} />
        {exact.map((e) => (
          <circle key={`e${e.k}`} cx={sx(e.k)} cy={sy(e.cv)} r={4.5} fill="#fff" stroke={PALETTE.ink} strokeWidth={1.6}>
            <title>{`exact lattice, k = ${e.k}: CV ${formatPercent(e.cv)}`}</title>
          </circle>
        ))}
        <line x1={kx} x2={kx} y1={M.top} y2={M.top + ih} stroke={PALETTE.orange} strokeWidth={1.6} />
        <circle cx={kx} cy={sy(cvAtK)} r={5.5} fill={PALETTE.orange} stroke="#fff" strokeWidth={1.2} />
        <text x={kLabelX} y={M.top + 10} textAnchor="middle" fill={PALETTE.ink} fontWeight={600}>
          {kLabel}
        </text>
        <line x1={M.left} x2={M.left + iw} y1={M.top + ih} y2={M.top + ih} stroke={PALETTE.ink3} />
        <text x={M.left + iw / 2} y={height - 6} textAnchor="middle" fill={PALETTE.ink2} fontSize={12}>
          budgets in the pool, k (log scale)
        </text>
        <text transform={`translate(12 ${M.top + ih / 2}) rotate(-90)`} textAnchor="middle" fill={PALETTE.ink2} fontSize={12}>
          coefficient of variation
        </text>
      </svg>
    </div>
  );
}
