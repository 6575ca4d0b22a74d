"use client";

import Link from "next/link";
import { useCallback, useId, useMemo, useRef, useState } from "react";
import type { Detection, ImportProgress, ImportSummary, Mapping, MappableField } from "@/lib/types/ingest";
import { COMMON_CURRENCIES, currencyFormatter, currencyLabel, formatCount, formatNumber, formatPeriod, plural } from "@/lib/format";

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
  /** `error`: the last import attempt failed; the file, the mapping and the name stay on screen to try again. */
  | { kind: "review"; file: File; detection: Detection; error?: string }
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
const kb = (bytes: number, digits = 0) => formatNumber(bytes / 1024, digits);
const baseName = (fileName: string) => fileName.replace(/\.[A-Za-z0-9]+$/, "");

export function UploadFlow({ maxMb }: { maxMb: number }) {
  const [stage, setStage] = useState<Stage>({ kind: "idle" });
  const [over, setOver] = useState(false);
  const [mapping, setMapping] = useState<Mapping>({});
  const [name, setName] = useState("");
  /** ISO 4217 code chosen for a file that names no currency; "" = leave it unstated. */
  const [currency, setCurrency] = useState("");
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();

  const start = useCallback(
    async (file: File) => {
      if (file.size > maxMb * 1024 * 1024) {
        setStage({
          kind: "error",
          file,
          message: `This file is ${formatNumber(file.size / 1048576, 1)} MB; the limit is ${formatNumber(maxMb, 0)} MB. Export a shorter date range and upload the parts.`,
        });
        return;
      }
      setStage({ kind: "sending", file, sent: 0 });
      try {
        const detection = await sendFile(file, newToken(), (sent) => setStage({ kind: "sending", file, sent }));
        setMapping(detection.mapping);
        setName(baseName(file.name));
        setCurrency("");
        setStage({ kind: "review", file, detection });
      } catch (e) {
        const details = e instanceof UploadError ? e.details : undefined;
        if (details && typeof details.sha256 === "string" && Array.isArray(details.headers)) {
          setMapping({});
          setName(baseName(file.name));
          setCurrency("");
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
      // The selects now show the mapping the preview was read with; Import sends exactly what they show.
      setMapping(detection.mapping);
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
        if (r.status === 200) {
          const progress = (await r.json()) as ImportProgress;
          setStage((s) => (s.kind === "importing" ? { ...s, progress } : s));
        }
      } catch {
        // progress is best effort
      }
    }, 250);
    try {
      // Always the mapping on screen: a mapping chosen before the preview is what the preview was read with, and
      // the server cannot find it again from headers it did not recognise.
      const body: Record<string, unknown> = { fileName: file.name, name: name.trim() || undefined, token, mapping };
      if (currency) body.currency = currency;
      const res = await fetch(`/api/uploads/${detection.sha256}/import`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(await errorMessage(res));
      setStage({ kind: "done", summary: (await res.json()) as ImportSummary });
    } catch (e) {
      // Back to the review with everything the user chose still on screen.
      setStage({ kind: "review", file, detection, error: (e as Error).message });
    } finally {
      clearInterval(timer);
    }
  }, [stage, mapping, name, currency]);

  const reset = () => {
    setStage({ kind: "idle" });
    if (inputRef.current) inputRef.current.value = "";
  };

  return (
    <div className="grid upload-flow">
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
          <p className="dropzone-title">Drop a CSV file here, or click to choose one</p>
          <p id={`${inputId}-hint`} className="muted small dropzone-hint">
            Up to {maxMb} MB. UTF-8 or UTF-16 (Excel) exports, comma, tab or semicolon separated.
          </p>
          <label htmlFor={inputId} className="sr-only">
            Choose a CSV file
          </label>
          <input
            ref={inputRef}
            id={inputId}
            data-testid="file-input"
            type="file"
            accept=".csv,.tsv,.txt,text/csv,text/plain"
            hidden
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
            Sending <strong>{stage.file.name}</strong>: {kb(stage.sent)} of {kb(stage.file.size)} KB
          </p>
          <progress className="progress" aria-label="Bytes sent" max={100} value={pct(stage.sent, stage.file.size)} />
        </div>
      )}

      {stage.kind === "needsMapping" && (
        <div className="panel" data-testid="needs-mapping">
          <h2 className="panel-title">Which column is which?</h2>
          <p>
            We kept <strong>{stage.file.name}</strong> but could not tell its columns apart on our own. Say which column
            holds each figure; you will see a preview before anything is imported.
          </p>
          <p className="muted small" role="status">
            {stage.message}
          </p>
          <MappingFields fields={PERF_FIELDS} headers={stage.headers} mapping={mapping} setMapping={setMapping} idPrefix="needs-map" />
          <div className="btn-row panel-actions">
            <button type="button" className="btn" onClick={reset}>
              Choose another file
            </button>
            <button type="button" className="btn primary" onClick={() => void previewWithMapping()} disabled={!mapping.campaign} data-testid="preview-mapping">
              Preview with these columns
            </button>
          </div>
        </div>
      )}

      {stage.kind === "review" && (
        <Review
          detection={stage.detection}
          error={stage.error}
          currency={currency}
          setCurrency={setCurrency}
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
            {stage.progress ? `: ${plural(stage.progress.rowsDone, "row")} read` : "..."}
          </p>
          <progress
            className="progress"
            aria-label="Rows imported"
            max={100}
            value={stage.progress ? pct(stage.progress.bytesDone, stage.progress.bytesTotal) : 0}
          />
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
    <div className="grid grid-3 mapping-fields">
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
  error: string | undefined;
  currency: string;
  setCurrency: (c: string) => void;
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
  const currencyId = useId();
  // A file names its currency in the header or the rows; only otherwise can the user state it.
  const fileNamesCurrency = d.currency !== null || Boolean(mapping.currency);
  const missing = useMemo(() => {
    const m: string[] = [];
    if (!mapping.campaign) m.push("campaign");
    if (d.format !== "orders" && !mapping.clicks && !mapping.conversions) m.push("clicks or conversions");
    return m;
  }, [mapping, d.format]);

  return (
    <div className="panel" data-testid="review">
      <h2 className="panel-title">We read this as: {d.formatLabel}</h2>
      <dl className="kv small">
        <dt>File</dt>
        <dd>
          {d.fileName} ({kb(d.sizeBytes, 1)} KB)
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
        <dd>{d.currency ?? (mapping.currency ? `from the column “${mapping.currency}”` : "not stated in the file (choose it below)")}</dd>
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

      <h3>Preview (first {plural(d.previewRows.length, "row")}, as they will be read)</h3>
      <div className="table-wrap preview-wrap">
        <table data-testid="preview">
          <thead>
            <tr>
              {previewCols.map((f) => (
                <th key={f} scope="col">
                  {FIELD_LABELS[f]}
                  <span className="th-sub">{mapping[f]}</span>
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

      {props.error && (
        <div className="alert error" role="alert" data-testid="import-error">
          <strong>The import did not go through.</strong> {props.error} Your file, the columns you chose and the name are
          kept: change what is needed and import again.
        </div>
      )}
      <div className="controls panel-actions">
        <div className="field field-grow">
          <label htmlFor={nameId}>Dataset name</label>
          <input id={nameId} type="text" value={props.name} maxLength={200} onChange={(e) => props.setName(e.target.value)} />
        </div>
        {!fileNamesCurrency && (
          <div className="field">
            <label htmlFor={currencyId}>Currency of spend and revenue</label>
            <select id={currencyId} data-testid="import-currency" value={props.currency} onChange={(e) => props.setCurrency(e.target.value)}>
              <option value="">Not stated (amounts without a sign)</option>
              {COMMON_CURRENCIES.map((c) => (
                <option key={c} value={c}>
                  {currencyLabel(c)}
                </option>
              ))}
            </select>
          </div>
        )}
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
  const money = currencyFormatter(s.currency);
  return (
    <div className="panel" data-testid="import-summary" aria-live="polite">
      <div className={`alert ${s.rowsRejected > 0 ? "warn" : "ok"}`}>
        {s.existing ? "This file was imported before: here is the same dataset." : "Done:"} {plural(s.rowsImported, "row")}{" "}
        imported
        {s.rowsRejected > 0
          ? `, ${plural(s.rowsRejected, "row")} could not be read (kept, with the reason)`
          : ", none rejected"}
        .
      </div>
      <div className="grid grid-4">
        <Stat label="Campaigns" value={formatCount(s.campaigns)} />
        <Stat label="Period" value={formatPeriod(s.period)} />
        <Stat label="Spend" value={money(s.totals.spend)} />
        <Stat label="Conversions" value={formatCount(s.totals.conversions)} />
        <Stat label="Impressions" value={formatCount(s.totals.impressions)} />
        <Stat label="Clicks" value={formatCount(s.totals.clicks)} />
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
                    <td className="num">{formatNumber(l.imported, 2)}</td>
                    <td className="num">{formatNumber(l.reported, 2)}</td>
                    <td>{l.matches ? "✓ matches" : `✗ differs by ${formatNumber(l.difference, 2)}`}</td>
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
      <div className="btn-row panel-actions">
        <Link className="btn primary" href={`/datasets/${s.datasetId}`}>
          Open the dataset
        </Link>
        {s.rowsRejected > 0 && (
          <a className="btn" href={`/api/datasets/${s.datasetId}/rejected.csv`} download>
            Download the {plural(s.rowsRejected, "rejected row")} (CSV)
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
      <span className="value value-sm">{value}</span>
    </div>
  );
}
