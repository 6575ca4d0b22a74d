import type { ReactNode } from "react";
import type { LegendShape, LegendSwatch } from "./download";

/** A small SVG swatch matching a chart series (shape and colour, so colour is never the only cue). */
function Swatch({ color, shape }: { color: string; shape: LegendShape }) {
  const common = { fill: color, stroke: color };
  let el: ReactNode;
  switch (shape) {
    case "square":
      el = <rect x={2} y={2} width={10} height={10} {...common} />;
      break;
    case "band":
      el = <rect x={0} y={2} width={14} height={10} fill={color} stroke="none" />;
      break;
    case "circle":
      el = <circle cx={7} cy={7} r={4.5} {...common} />;
      break;
    case "triangle":
      el = <polygon points="7,2 12,11 2,11" {...common} />;
      break;
    case "triangle-down":
      el = <polygon points="2,3 12,3 7,12" {...common} />;
      break;
    case "diamond":
      el = <polygon points="7,2 12,7 7,12 2,7" {...common} />;
      break;
    case "line":
      el = <line x1={0} y1={7} x2={14} y2={7} stroke={color} strokeWidth={2} />;
      break;
    case "dashed":
      el = <line x1={0} y1={7} x2={14} y2={7} stroke={color} strokeWidth={2} strokeDasharray="4 3" />;
      break;
  }
  return (
    <svg className="u-flex-none" width={14} height={14} viewBox="0 0 14 14" aria-hidden="true" focusable="false">
      {el}
    </svg>
  );
}

/** The legend under a chart: swatch and label per series, wrapping on narrow screens. */
export function LegendKey({ items }: { items: readonly LegendSwatch[] }) {
  if (items.length === 0) return null;
  return (
    <ul className="legend-key">
      {items.map((it) => (
        <li key={it.label}>
          <Swatch color={it.color} shape={it.shape} />
          <span>{it.label}</span>
        </li>
      ))}
    </ul>
  );
}
