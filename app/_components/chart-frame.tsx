"use client";

import { useId, useRef, useState, type ReactNode } from "react";
import { fileStem } from "@/lib/export/json";
import { chartToPng, downloadBlob, findChartSvg, type LegendSwatch } from "./download";
import { ExportButtons } from "./export-buttons";
import { LegendKey } from "./legend-key";

export interface ChartFrameProps {
  /** Shown above the chart and drawn into the PNG. */
  title: string;
  /** One plain sentence saying how to read the chart; shown below it and drawn into the PNG. */
  caption: string;
  /** File name stem of the downloads (made safe). */
  exportName: string;
  /** The chart's data as rows keyed by column header, for the CSV/JSON downloads. */
  data: readonly Record<string, unknown>[];
  /** JSON download content when richer than the rows (default: the rows). */
  json?: unknown;
  /** Kind written in the JSON envelope (default "chart-data"). */
  kind?: string;
  /** Where the data came from, written in the JSON envelope. */
  source?: Record<string, unknown>;
  /** Series key shown under the chart and drawn into the PNG. */
  legend?: readonly LegendSwatch[];
  /** Extra content under the caption (e.g. a source line). */
  footer?: ReactNode;
  /** The chart (any component rendering one SVG). */
  children: ReactNode;
}

/**
 * A titled chart panel with PNG, CSV and JSON downloads. The PNG is the chart's SVG drawn at 2x on a white canvas
 * with the title, legend and caption, so the image stands on its own in a slide or an email.
 */
export function ChartFrame({ title, caption, exportName, data, json, kind = "chart-data", source, legend, footer, children }: ChartFrameProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const captionId = useId();

  const png = async () => {
    const svg = ref.current ? findChartSvg(ref.current) : null;
    if (!svg) {
      setError("The chart is not drawn yet.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const blob = await chartToPng(svg, { title, caption, legend });
      downloadBlob(blob, `${fileStem(exportName)}.png`);
    } catch (e) {
      setError(e instanceof Error ? e.message : "The chart image could not be made.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <figure className="panel chart-frame" aria-labelledby={titleId} aria-describedby={captionId}>
      <div className="chart-head">
        <h3 id={titleId} className="chart-title">
          {title}
        </h3>
        <ExportButtons label={title} exportName={exportName} records={data} json={json} kind={kind} source={source}>
          <button type="button" className="btn small" onClick={() => void png()} disabled={busy} aria-label={`Download ${title} as PNG`}>
            {busy ? "PNG…" : "PNG"}
          </button>
        </ExportButtons>
      </div>
      <div ref={ref} className="chart-box">
        {children}
      </div>
      {legend && <LegendKey items={legend} />}
      <figcaption id={captionId} className="chart-caption">
        {caption}
      </figcaption>
      {footer}
      {error && (
        <p role="alert" className="small u-error-text">
          {error}
        </p>
      )}
    </figure>
  );
}
