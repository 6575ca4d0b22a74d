"use client";

import Link from "next/link";
import { useCallback, useId, useMemo, useRef, useState } from "react";
import type { Detection, ImportProgress, ImportSummary, Mapping, MappableField } from "@/lib/ingest/types";

const FIELD_LABELS: Record<MappableField, string> = {
  date: "Date",
  campaign: "Campaign",
  impressions: "Impressions",
  clicks: "Clicks",
  conversions: "Conversions (sales)",
  spend: "Spend",
  revenue: "Revenue (conversion value)",
  segment: "Segment (ad, device...)",
  conversions_alt: "Secondary conversions",
  order_id: "Order id",
  value: "Order value",
  currency: "Currency column",
};

const ORDER_FIELDS: MappableField[] = ["date", "campaign", "order_id", "value"];
const PERF_FIELDS: MappableField[] = [
  "date",
  "campaign",
  "impressions",
  "clicks",
  "conversions",
  "spend",
  "revenue",
  "segment",
  "conversions_alt",
];

type Stage =
  | { kind: "idle" }
  | { kind: "sending"; file: File; sent: number }
  | { kind: "needsMapping"; file: File; sha256: string; headers: string[]; message: string }
  | { kind: "review"; file: File; detection: Detection }
  | { kind: "importing"; file: File; detection: Detection; progress: ImportProgress | null }
  | { kind: "done"; summary: ImportSummary }
  | { kind: "error"; message: string; file?: File };

function newToken(): string {
  const a = new Uint8Array(12);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // fall through
  }
  return `The server answered ${res.status}. Please try again.`;
}

/** An error from the API with its user-safe details (e.g. the headers we saw in an unrecognised file). */
class UploadError extends Error {
  readonly details?: Record<string, unknown>;
  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.details = details;
  }
}

function sendFile(file: File, token: string, onSent: (n: number) => void): Promise<Detection> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const q = new URLSearchParams({ fileName: file.name, token, preview: "1" });
    xhr.open("POST", `/api/uploads?${q.toString()}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => onSent(e.loaded);
    xhr.onerror = () => reject(new Error("The upload was interrupted. Check your connection and try again."));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        reject(new Error(`The server answered ${xhr.status}. Please try again.`));
        return;
      }
      if (xhr.status >= 400) {
        const err = (body as { error?: { message?: string; details?: Record<string, unknown> } }).error;
        reject(new UploadError(err?.message ?? `The server answered ${xhr.status}.`, err?.details));
        return;
      }
      resolve((body as { detection: Detection }).detection);
    };
    xhr.send(file);
  });
}

const pct = (n: number, d: number) => (d > 0 ? Math.min(100, Math.round((100 * n) / d)) : 0);
const num = (n: number, digits = 0) => n.toLocaleString(undefined, { maximumFractionDigits: digits });

export function UploadFlow({ maxMb }: { maxMb: number }) {
  const [stage, setStage] = useState<Stage>({ kind: "idle" });
  const [over, setOver] = useState(false);
  const [mapping, setMapping] = useState<Mapping>({});
  const [name, setName] = useState("");
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();

  const start = useCallback(
    async (file: File) => {
      if (file.size > maxMb * 1024 * 1024) {
        setStage({
          kind: "error",
          file,
          message: `This file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${maxMb} MB. Export a shorter date range and upload the parts.`,
        });
        return;
      }
      setStage({ kind: "sending", file, sent: 0 });
      try {
        const detection = await sendFile(file, newToken(), (sent) => setStage({ kind: "sending", file, sent }));
        setMapping(detection.mapping);
        setName(file.name.replace(/\.[A-Za-z0-9]+$/, ""));
        setStage({ kind: "review", file, detection });
      } catch (e) {
        const details = e instanceof UploadError ? e.details : undefined;
        if (details && typeof details.sha256 === "string" && Array.isArray(details.headers)) {
          setMapping({});
          setStage({
            kind: "needsMapping",
            file,
            sha256: details.sha256,
            headers: details.headers.map(String),
            message: (e as Error).message,
          });
          return;
        }
        setStage({ kind: "error", file, message: (e as Error).message });
      }
    },
    [maxMb],
  );

  const previewWithMapping = useCallback(async () => {
    if (stage.kind !== "needsMapping") return;
    const { file, sha256 } = stage;
    try {
      const res = await fetch(`/api/uploads/${sha256}/detect`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ fileName: file.name, mapping }),
      });
      if (!res.ok) throw new Error(await errorMessage(res));
      const { detection } = (await res.json()) as { detection: Detection };
      setMapping(detection.mapping);
      setName(file.name.replace(/\.[A-Za-z0-9]+$/, ""));
      setStage({ kind: "review", file, detection });
    } catch (e) {
      setStage({ ...stage, message: (e as Error).message });
    }
  }, [stage, mapping]);

  const confirm = useCallback(async () => {
    if (stage.kind !== "review") return;
    const { file, detection } = stage;
    const token = newToken();
    setStage({ kind: "importing", file, detection, progress: null });
    const timer = setInterval(async () => {
      try {
        const r = await fetch(`/api/uploads/progress?token=${token}`, { cache: "no-store" });
        if (r.ok) {
          const progress = (await r.json()) as ImportProgress;
          setStage((s) => (s.kind === "importing" ? { ...s, progress } : s));
        }
      } catch {
        // progress is best effort
      }
    }, 250);
    try {
      const changed = JSON.stringify(mapping) !== JSON.stringify(detection.mapping);
      const res = await fetch(`/api/uploads/${detection.sha256}/import`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ fileName: file.name, name: name.trim() || undefined, token, ...(changed ? { mapping } : {}) }),
      });
      if (!res.ok) throw new Error(await errorMessage(res));
      setStage({ kind: "done", summary: (await res.json()) as ImportSummary });
    } catch (e) {
      setStage({ kind: "error", file, message: (e as Error).message });
    } finally {
      clearInterval(timer);
    }
  }, [stage, mapping, name]);

  const reset = () => {
    setStage({ kind: "idle" });
    if (inputRef.current) inputRef.current.value = "";
  };

  return (
    <div className="grid" style={{ gap: 16 }}>
      {(stage.kind === "idle" || stage.kind === "error") && (
        <div
          className={`dropzone${over ? " over" : ""}`}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            const f = e.dataTransfer.files[0];
            if (f) void start(f);
          }}
          onClick={() => inputRef.current?.click()}
          onKeyDown={(e) => {
            if (e.key === "Enter" || e.key === " ") {
              e.preventDefault();
              inputRef.current?.click();
            }
          }}
          role="button"
          tabIndex={0}
          aria-describedby={`${inputId}-hint`}
        >
          <p style={{ fontSize: "1.1rem", fontWeight: 600, margin: 0 }}>Drop a CSV file here, or click to choose one</p>
          <p id={`${inputId}-hint`} className="muted small" style={{ margin: "6px 0 0" }}>
            Up to {maxMb} MB. UTF-8 or UTF-16 (Excel) exports, comma, tab or semicolon separated.
          </p>
          <label htmlFor={inputId} className="muted small" style={{ position: "absolute", left: -9999 }}>
            Choose a CSV file
          </label>
          <input
            ref={inputRef}
            id={inputId}
            data-testid="file-input"
            type="file"
            accept=".csv,.tsv,.txt,text/csv,text/plain"
            style={{ display: "none" }}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void start(f);
            }}
          />
        </div>
      )}

      {stage.kind === "error" && (
        <div className="alert error" role="alert">
          <strong>{stage.file ? `We could not import ${stage.file.name}.` : "Something went wrong."}</strong> {stage.message}
        </div>
      )}

      {stage.kind === "sending" && (
        <div className="panel" aria-live="polite">
          <p>
            Sending <strong>{stage.file.name}</strong>: {num(stage.sent / 1024)} of {num(stage.file.size / 1024)} KB
          </p>
          <div className="progress" role="progressbar" aria-label="Bytes sent" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct(stage.sent, stage.file.size)}>
            <div style={{ width: `${pct(stage.sent, stage.file.size)}%` }} />
          </div>
        </div>
      )}

      {stage.kind === "needsMapping" && (
        <div className="panel" data-testid="needs-mapping">
          <h2 style={{ marginTop: 0 }}>Which column is which?</h2>
          <p>
            We kept <strong>{stage.file.name}</strong> but could not tell its columns apart on our own. Say which column
            holds each figure; you will see a preview before anything is imported.
          </p>
          <p className="muted small">{stage.message}</p>
          <MappingFields fields={PERF_FIELDS} headers={stage.headers} mapping={mapping} setMapping={setMapping} idPrefix="needs-map" />
          <div className="btn-row" style={{ marginTop: 14 }}>
            <button type="button" className="btn" onClick={reset}>
              Choose another file
            </button>
            <button type="button" className="btn primary" onClick={() => void previewWithMapping()} disabled={!mapping.campaign}>
              Preview with these columns
            </button>
          </div>
        </div>
      )}

      {stage.kind === "review" && (
        <Review
          detection={stage.detection}
          mapping={mapping}
          setMapping={setMapping}
          name={name}
          setName={setName}
          onConfirm={() => void confirm()}
          onCancel={reset}
        />
      )}

      {stage.kind === "importing" && (
        <div className="panel" aria-live="polite">
          <p>
            Importing <strong>{stage.file.name}</strong>
            {stage.progress ? `: ${num(stage.progress.rowsDone)} rows read` : "..."}
          </p>
          <div
            className="progress"
            role="progressbar"
            aria-label="Rows imported"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={stage.progress ? pct(stage.progress.bytesDone, stage.progress.bytesTotal) : 0}
          >
            <div style={{ width: `${stage.progress ? pct(stage.progress.bytesDone, stage.progress.bytesTotal) : 2}%` }} />
          </div>
        </div>
      )}

      {stage.kind === "done" && <Summary summary={stage.summary} onAnother={reset} />}
    </div>
  );
}

/** One select per field, listing the file's headers (ids and test ids `${idPrefix}-${field}`). */
function MappingFields(props: {
  fields: MappableField[];
  headers: string[];
  mapping: Mapping;
  setMapping: (m: Mapping) => void;
  idPrefix: string;
}) {
  const { mapping, setMapping } = props;
  return (
    <div className="grid grid-3" style={{ gap: 10 }}>
      {props.fields.map((f) => {
        const id = `${props.idPrefix}-${f}`;
        return (
          <div className="field" key={f}>
            <label htmlFor={id}>{FIELD_LABELS[f]}</label>
            <select
              id={id}
              data-testid={id}
              value={mapping[f] ?? ""}
              onChange={(e) => setMapping({ ...mapping, [f]: e.target.value === "" ? null : e.target.value })}
            >
              <option value="">(not in this file)</option>
              {props.headers.map((h, i) => (
                <option key={`${h}-${i}`} value={h}>
                  {h}
                </option>
              ))}
            </select>
          </div>
        );
      })}
    </div>
  );
}

function Review(props: {
  detection: Detection;
  mapping: Mapping;
  setMapping: (m: Mapping) => void;
  name: string;
  setName: (s: string) => void;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { detection: d, mapping, setMapping } = props;
  const fields = d.format === "orders" ? ORDER_FIELDS : PERF_FIELDS;
  const previewCols = fields.filter((f) => mapping[f]);
  const nameId = useId();
  const missing = useMemo(() => {
    const m: string[] = [];
    if (!mapping.campaign) m.push("campaign");
    if (d.format !== "orders" && !mapping.clicks && !mapping.conversions) m.push("clicks or conversions");
    return m;
  }, [mapping, d.format]);

  return (
    <div className="panel" data-testid="review">
      <h2 style={{ marginTop: 0 }}>We read this as: {d.formatLabel}</h2>
      <dl className="kv small">
        <dt>File</dt>
        <dd>
          {d.fileName} ({num(d.sizeBytes / 1024, 1)} KB)
        </dd>
        <dt>Encoding, separator</dt>
        <dd>
          {d.encoding}, {d.delimiter === "\t" ? "tab" : d.delimiter === ";" ? "semicolon" : "comma"}; header on line {d.headerLine}
        </dd>
        {d.dateOrder && (
          <>
            <dt>Dates</dt>
            <dd>{d.dateOrder === "day-first" ? "day first (31/01/2026)" : "month first (01/31/2026)"}</dd>
          </>
        )}
        <dt>Currency</dt>
        <dd>{d.currency ?? "not stated in the file"}</dd>
        {d.period && (
          <>
            <dt>Period</dt>
            <dd>
              {d.period.start} to {d.period.end} ({d.period.source === "data" ? "from the dates in the rows" : "from the report header"})
            </dd>
          </>
        )}
      </dl>
      {d.warnings.map((w) => (
        <div key={w} className="alert warn small">
          {w}
        </div>
      ))}

      <h3>Columns</h3>
      <p className="muted small">Check how each column is read; change any that are wrong. The preview below follows your choices.</p>
      <MappingFields fields={fields} headers={d.headers} mapping={mapping} setMapping={setMapping} idPrefix="map" />

      <h3>Preview (first {d.previewRows.length} rows, as they will be read)</h3>
      <div className="table-wrap" style={{ maxHeight: 320 }}>
        <table data-testid="preview">
          <thead>
            <tr>
              {previewCols.map((f) => (
                <th key={f} scope="col">
                  {FIELD_LABELS[f]}
                  <div className="muted small" style={{ fontWeight: 400 }}>
                    {mapping[f]}
                  </div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {d.previewRows.map((row, i) => (
              <tr key={i}>
                {previewCols.map((f) => (
                  <td key={f}>{row[mapping[f] ?? ""] ?? ""}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="controls" style={{ marginTop: 14 }}>
        <div className="field" style={{ flex: "1 1 260px" }}>
          <label htmlFor={nameId}>Dataset name</label>
          <input id={nameId} type="text" value={props.name} maxLength={200} onChange={(e) => props.setName(e.target.value)} />
        </div>
        <div className="btn-row">
          <button type="button" className="btn" onClick={props.onCancel}>
            Choose another file
          </button>
          <button type="button" className="btn primary" onClick={props.onConfirm} disabled={missing.length > 0} data-testid="confirm-import">
            Import
          </button>
        </div>
      </div>
      {missing.length > 0 && <p className="alert warn small">Choose a column for: {missing.join(", ")}.</p>}
    </div>
  );
}

function Summary({ summary: s, onAnother }: { summary: ImportSummary; onAnother: () => void }) {
  const money = (n: number) =>
    s.currency
      ? n.toLocaleString(undefined, { style: "currency", currency: s.currency, maximumFractionDigits: 2 })
      : num(n, 2);
  return (
    <div className="panel" data-testid="import-summary" aria-live="polite">
      <div className={`alert ${s.rowsRejected > 0 ? "warn" : "ok"}`}>
        {s.existing ? "This file was imported before: here is the same dataset." : "Imported."} {num(s.rowsImported)} rows
        imported{s.rowsRejected > 0 ? `, ${num(s.rowsRejected)} rows could not be read (kept, with the reason)` : ", none rejected"}.
      </div>
      <div className="grid grid-4">
        <Stat label="Campaigns" value={num(s.campaigns)} />
        <Stat label="Period" value={s.period ? `${s.period.start} – ${s.period.end}` : "no dates"} />
        <Stat label="Spend" value={money(s.totals.spend)} />
        <Stat label="Conversions" value={num(s.totals.conversions, 2)} />
        <Stat label="Impressions" value={num(s.totals.impressions)} />
        <Stat label="Clicks" value={num(s.totals.clicks)} />
        <Stat label="Revenue" value={money(s.totals.revenue)} />
        <Stat label="Format" value={s.formatLabel} />
      </div>
      {s.warnings.length > 0 && (
        <>
          <h3>Warnings</h3>
          <ul>
            {s.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </>
      )}
      {s.reconciliation && (
        <>
          <h3>Check against the file&apos;s own totals ({s.reconciliation.source})</h3>
          <div className="table-wrap">
            <table data-testid="reconciliation">
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  <th scope="col" className="num">Imported</th>
                  <th scope="col" className="num">File says</th>
                  <th scope="col">Match</th>
                </tr>
              </thead>
              <tbody>
                {s.reconciliation.lines.map((l) => (
                  <tr key={l.field}>
                    <td>{l.field}</td>
                    <td className="num">{num(l.imported, 2)}</td>
                    <td className="num">{num(l.reported, 2)}</td>
                    <td>{l.matches ? "✓ matches" : `✗ differs by ${num(l.difference, 2)}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {s.reconciliation.ignored.map((i) => (
            <p key={i.source} className="muted small">
              Not used: {i.source} (line {i.line}): {i.reason}
            </p>
          ))}
        </>
      )}
      <div className="btn-row" style={{ marginTop: 14 }}>
        <Link className="btn primary" href={`/datasets/${s.datasetId}`}>
          Open the dataset
        </Link>
        {s.rowsRejected > 0 && (
          <a className="btn" href={`/api/datasets/${s.datasetId}/rejected.csv`} download>
            Download the {num(s.rowsRejected)} rejected rows (CSV)
          </a>
        )}
        <button type="button" className="btn" onClick={onAnother}>
          Upload another file
        </button>
      </div>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <span className="label">{label}</span>
      <span className="value" style={{ fontSize: "1.05rem" }}>
        {value}
      </span>
    </div>
  );
}
