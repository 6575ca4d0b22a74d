"use client";

import { useState, type ReactNode } from "react";
import { fileStem, toJsonText } from "@/lib/export/json";
import { recordsToCsv } from "@/lib/export/table-csv";
import { downloadText } from "./download";

export interface ExportButtonsProps {
  /** What is exported, for the button labels and file names, e.g. "Campaigns, week horizon". */
  label: string;
  /** File name stem (made safe); defaults to the label. */
  exportName?: string;
  /** Table rows, one object per row keyed by column header (see lib/export/report.ts). */
  records: readonly Record<string, unknown>[];
  /** JSON data when richer than the rows (default: the rows). */
  json?: unknown;
  /** Kind written in the JSON envelope (default "table"). */
  kind?: string;
  /** Where the data came from (dataset id, campaign, horizon...), written in the JSON envelope. */
  source?: Record<string, unknown>;
  /** Extra buttons rendered before CSV/JSON (e.g. PNG). */
  children?: ReactNode;
}

/** CSV and JSON download buttons for a table or distribution on screen. */
export function ExportButtons({ label, exportName, records, json, kind = "table", source = {}, children }: ExportButtonsProps) {
  const [error, setError] = useState<string | null>(null);
  const stem = fileStem(exportName ?? label);
  const run = (f: () => void) => {
    try {
      setError(null);
      f();
    } catch {
      setError("The download could not be prepared.");
    }
  };
  return (
    <div className="btn-row export-buttons no-print" role="group" aria-label={`Download ${label}`}>
      {children}
      <button
        type="button"
        className="btn small"
        aria-label={`Download ${label} as CSV`}
        onClick={() => run(() => downloadText(recordsToCsv(records), `${stem}.csv`, "text/csv"))}
      >
        CSV
      </button>
      <button
        type="button"
        className="btn small"
        aria-label={`Download ${label} as JSON`}
        onClick={() =>
          run(() => downloadText(toJsonText(kind, json === undefined ? records : json, source), `${stem}.json`, "application/json"))
        }
      >
        JSON
      </button>
      {error && (
        <span role="alert" className="small u-error-text">
          {error}
        </span>
      )}
    </div>
  );
}

/** One button downloading `data` as a JSON export envelope (for exports that are not a table, e.g. a whole analysis). */
export function JsonDownloadButton({
  label,
  exportName,
  data,
  kind,
  source = {},
  text = "JSON",
}: {
  label: string;
  exportName: string;
  data: unknown;
  kind: string;
  source?: Record<string, unknown>;
  text?: string;
}) {
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="btn no-print"
        aria-label={`Download ${label} as JSON`}
        onClick={() => {
          try {
            setError(null);
            downloadText(toJsonText(kind, data, source), `${fileStem(exportName)}.json`, "application/json");
          } catch {
            setError("The download could not be prepared.");
          }
        }}
      >
        {text}
      </button>
      {error && (
        <span role="alert" className="small u-error-text">
          {error}
        </span>
      )}
    </>
  );
}
