import { useId, useMemo } from "react";
import type { Detection, Mapping } from "@/lib/types/ingest";
import { COMMON_CURRENCIES, currencyLabel, formatSize, plural } from "@/lib/format";
import { FIELD_LABELS, MappingFields, ORDER_FIELDS, PERF_FIELDS } from "./mapping-fields";

/** The review step: how the file was read, its columns (editable), a preview, the name and currency, and Import. */
export function Review(props: {
  detection: Detection;
  error: string | undefined;
  currency: string;
  setCurrency: (c: string) => void;
  mapping: Mapping;
  setMapping: (m: Mapping) => void;
  name: string;
  /** The dataset this file is added to (a newer export), when the upload was started from it. */
  into?: { id: number; name: string };
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
          {d.fileName} ({formatSize(d.sizeBytes, "KB", 1)})
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
        {props.into ? (
          <p className="field-grow" data-testid="import-into">
            Added to <strong>{props.into.name}</strong>: rows for the same date, campaign and segment replace the
            dataset&apos;s, the others are added, and the dataset&apos;s currency applies.
          </p>
        ) : (
          <div className="field field-grow">
            <label htmlFor={nameId}>Dataset name</label>
            <input id={nameId} type="text" value={props.name} maxLength={200} onChange={(e) => props.setName(e.target.value)} />
          </div>
        )}
        {!fileNamesCurrency && !props.into && (
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
            {props.into ? "Add to the dataset" : "Import"}
          </button>
        </div>
      </div>
      {missing.length > 0 && <p className="alert warn small">Choose a column for: {missing.join(", ")}.</p>}
    </div>
  );
}
