/**
 * Browser-side downloads: text files (CSV, JSON) and a PNG image of a chart. Only called from event handlers in
 * client components (uses document, Blob, canvas).
 */
import { CHART_FONT, PALETTE } from "./palette";

/** Starts a download of `blob` named `fileName`. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser time to start reading the blob before it is released.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Downloads text. CSV files get a UTF-8 byte-order mark so spreadsheet programs that guess the encoding (Excel)
 * read accents and currency signs correctly.
 */
export function downloadText(text: string, fileName: string, mime: "text/csv" | "application/json"): void {
  const body = mime === "text/csv" ? `\uFEFF${text}` : text;
  downloadBlob(new Blob([body], { type: `${mime};charset=utf-8` }), fileName);
}

/** What is drawn in a chart image's legend. */
export interface LegendSwatch {
  label: string;
  color: string;
  shape: LegendShape;
}
export type LegendShape = "square" | "circle" | "triangle" | "triangle-down" | "diamond" | "line" | "dashed" | "band";

/** The largest <svg> inside a container (the chart surface, not a small icon). */
export function findChartSvg(container: HTMLElement): SVGSVGElement | null {
  let best: SVGSVGElement | null = null;
  let bestArea = 0;
  for (const svg of Array.from(container.querySelectorAll("svg"))) {
    const r = svg.getBoundingClientRect();
    const area = r.width * r.height;
    if (area > bestArea) {
      best = svg;
      bestArea = area;
    }
  }
  return best;
}

/** Serialises an SVG element into standalone SVG text with explicit size, font and namespace. */
function serialiseSvg(svg: SVGSVGElement): { text: string; width: number; height: number } {
  const rect = svg.getBoundingClientRect();
  const width = Math.max(1, Math.round(rect.width));
  const height = Math.max(1, Math.round(rect.height));
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  clone.setAttribute("xmlns:xlink", "http://www.w3.org/1999/xlink");
  clone.setAttribute("width", String(width));
  clone.setAttribute("height", String(height));
  if (!clone.getAttribute("viewBox")) clone.setAttribute("viewBox", `0 0 ${width} ${height}`);
  clone.setAttribute("font-family", CHART_FONT);
  clone.setAttribute("font-size", "12");
  clone.style.removeProperty("overflow");
  // Hover decorations (tooltip cursor, active dots) are not part of the figure.
  clone.querySelectorAll(".recharts-tooltip-cursor, .recharts-active-dot").forEach((n) => n.remove());
  return { text: new XMLSerializer().serializeToString(clone), width, height };
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("The chart image could not be drawn."));
    img.src = src;
  });
}

/** Splits text into lines no wider than maxWidth in the context's current font. */
function wrap(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (ctx.measureText(next).width > maxWidth && line) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

function drawSwatch(ctx: CanvasRenderingContext2D, s: LegendSwatch, x: number, y: number): void {
  const c = y; // vertical centre
  ctx.save();
  ctx.fillStyle = s.color;
  ctx.strokeStyle = s.color;
  ctx.lineWidth = 2;
  switch (s.shape) {
    case "square":
      ctx.fillRect(x, c - 5, 10, 10);
      break;
    case "band":
      ctx.globalAlpha = 0.9;
      ctx.fillRect(x - 2, c - 5, 14, 10);
      break;
    case "circle":
      ctx.beginPath();
      ctx.arc(x + 5, c, 4.5, 0, 2 * Math.PI);
      ctx.fill();
      break;
    case "triangle":
      ctx.beginPath();
      ctx.moveTo(x + 5, c - 5);
      ctx.lineTo(x + 10, c + 4);
      ctx.lineTo(x, c + 4);
      ctx.closePath();
      ctx.fill();
      break;
    case "triangle-down":
      ctx.beginPath();
      ctx.moveTo(x, c - 4);
      ctx.lineTo(x + 10, c - 4);
      ctx.lineTo(x + 5, c + 5);
      ctx.closePath();
      ctx.fill();
      break;
    case "diamond":
      ctx.beginPath();
      ctx.moveTo(x + 5, c - 5);
      ctx.lineTo(x + 10, c);
      ctx.lineTo(x + 5, c + 5);
      ctx.lineTo(x, c);
      ctx.closePath();
      ctx.fill();
      break;
    case "line":
    case "dashed":
      if (s.shape === "dashed") ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x - 2, c);
      ctx.lineTo(x + 12, c);
      ctx.stroke();
      break;
  }
  ctx.restore();
}

/**
 * Draws a chart as a PNG at 2x: white background, the title on top, the chart, its legend and caption below.
 * @param svg the chart's SVG element (see findChartSvg)
 */
export async function chartToPng(
  svg: SVGSVGElement,
  opts: { title: string; caption?: string; legend?: readonly LegendSwatch[] },
): Promise<Blob> {
  const scale = 2;
  const pad = 16;
  const { text, width, height } = serialiseSvg(svg);
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml;charset=utf-8" }));
  try {
    const img = await loadImage(url);
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("This browser cannot draw images.");
    const inner = width;
    const titleFont = `600 16px ${CHART_FONT}`;
    const bodyFont = `13px ${CHART_FONT}`;
    ctx.font = titleFont;
    const titleLines = wrap(ctx, opts.title, inner);
    ctx.font = bodyFont;
    const captionLines = opts.caption ? wrap(ctx, opts.caption, inner) : [];
    // Legend: items flow left to right and wrap.
    const legendRows: { s: LegendSwatch; x: number; row: number }[] = [];
    let lx = 0;
    let row = 0;
    for (const s of opts.legend ?? []) {
      const w = 18 + ctx.measureText(s.label).width + 18;
      if (lx > 0 && lx + w > inner) {
        row++;
        lx = 0;
      }
      legendRows.push({ s, x: lx, row });
      lx += w;
    }
    const legendHeight = legendRows.length ? (row + 1) * 20 + 6 : 0;
    const totalH = pad + titleLines.length * 22 + 6 + height + 6 + legendHeight + captionLines.length * 18 + pad;
    const totalW = width + 2 * pad;
    canvas.width = Math.round(totalW * scale);
    canvas.height = Math.round(totalH * scale);
    ctx.scale(scale, scale);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, totalW, totalH);
    let y = pad;
    ctx.fillStyle = PALETTE.ink;
    ctx.textBaseline = "top";
    ctx.font = titleFont;
    for (const l of titleLines) {
      ctx.fillText(l, pad, y);
      y += 22;
    }
    y += 6;
    ctx.drawImage(img, pad, y, width, height);
    y += height + 6;
    ctx.font = bodyFont;
    ctx.textBaseline = "middle";
    for (const it of legendRows) {
      const cy = y + it.row * 20 + 10;
      drawSwatch(ctx, it.s, pad + it.x, cy);
      ctx.fillStyle = PALETTE.ink2;
      ctx.fillText(it.s.label, pad + it.x + 18, cy);
    }
    y += legendHeight;
    ctx.textBaseline = "top";
    ctx.fillStyle = PALETTE.ink2;
    for (const l of captionLines) {
      ctx.fillText(l, pad, y);
      y += 18;
    }
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("The chart image could not be made."))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
