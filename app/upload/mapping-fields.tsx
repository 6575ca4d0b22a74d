import type { MappableField, Mapping } from "@/lib/types/ingest";

export const FIELD_LABELS: Record<MappableField, string> = {
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

export const ORDER_FIELDS: MappableField[] = ["date", "campaign", "order_id", "value"];
export const PERF_FIELDS: MappableField[] = [
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

/** One select per field, listing the file's headers (ids and test ids `${idPrefix}-${field}`). */
export function MappingFields(props: {
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

/** The step for a file whose columns were not recognised: one select per field, then a preview. */
export function NeedsMapping(props: {
  fileName: string;
  message: string;
  headers: string[];
  mapping: Mapping;
  setMapping: (m: Mapping) => void;
  onPreview: () => void;
  onCancel: () => void;
}) {
  return (
    <div className="panel" data-testid="needs-mapping">
      <h2 className="panel-title">Which column is which?</h2>
      <p>
        We kept <strong>{props.fileName}</strong> but could not tell its columns apart on our own. Say which column
        holds each figure{Object.values(props.mapping).some(Boolean) ? " (the columns below are guesses from their names: check each one)" : ""}; you will see
        a preview before anything is imported.
      </p>
      <p className="muted small" role="status">
        {props.message}
      </p>
      <MappingFields fields={PERF_FIELDS} headers={props.headers} mapping={props.mapping} setMapping={props.setMapping} idPrefix="needs-map" />
      <div className="btn-row panel-actions">
        <button type="button" className="btn" onClick={props.onCancel}>
          Choose another file
        </button>
        <button type="button" className="btn primary" onClick={props.onPreview} disabled={!props.mapping.campaign} data-testid="preview-mapping">
          Preview with these columns
        </button>
      </div>
    </div>
  );
}
