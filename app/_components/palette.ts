/**
 * Chart colours as literal hex values (the Okabe-Ito palette of globals.css, plus inks). Charts use these instead of
 * CSS variables because an exported chart image is a standalone SVG in which `var(--blue)` would not resolve.
 * Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision deficiencies; every
 * series also differs by shape or dash so colour is never the only cue.
 */
export const PALETTE = {
  ink: "#1b1f24",
  ink2: "#4a5059",
  ink3: "#6b7280",
  grid: "#e5e7eb",
  blue: "#0072b2",
  orange: "#e69f00",
  sky: "#56b4e9",
  green: "#009e73",
  yellow: "#f0e442",
  vermillion: "#d55e00",
  purple: "#cc79a7",
  /** Band fill: sky blue, light enough for points on top to keep 3:1 contrast. */
  band: "#cfe8f7",
  bandStroke: "#8ec8ec",
} as const;

/** Font stack used inside chart SVGs (same as the page body, written out for standalone export). */
export const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
