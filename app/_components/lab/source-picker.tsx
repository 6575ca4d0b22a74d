"use client";

import { useId } from "react";
import { HORIZONS, type Horizon } from "@/lib/analysis/schemas";
import { ModelFields } from "./model-fields";
import type { ModelForm } from "./model-form";

/** A dataset a lab can use (see lib/analysis/pooling-source.ts labDatasets). */
export interface LabDatasetOption {
  id: number;
  name: string;
  isSample: boolean;
}

/** Where a lab's outcome comes from: a dataset's campaign forecast, or a model typed in. */
export interface SourceState {
  mode: "campaign" | "model";
  datasetId: number | null;
  /** null: the dataset's median campaign (the server picks it). */
  campaign: string | null;
  horizon: Horizon;
  model: ModelForm;
}

export interface SourcePickerProps {
  datasets: readonly LabDatasetOption[];
  /** Campaigns of the chosen dataset (from the last answer). */
  campaigns: readonly string[];
  /** The campaign the last answer used (shown when `value.campaign` is null). */
  currentCampaign: string | null;
  value: SourceState;
  onChange: (s: SourceState) => void;
  /** Shown in model mode under the model (e.g. what the horizon means there). */
  modelHint?: string;
  /** Whether the horizon applies in model mode (the collar's coin holding uses it). */
  horizonInModelMode?: boolean;
}

const HORIZON_LABEL: Record<Horizon, string> = { day: "Day", week: "Week", month: "Month (30 days)" };

/** Dataset, campaign and horizon pickers, or the model's fields, with a switch between the two. */
export function SourcePicker({ datasets, campaigns, currentCampaign, value, onChange, modelHint, horizonInModelMode = false }: SourcePickerProps) {
  const dsId = useId();
  const cId = useId();
  const set = (patch: Partial<SourceState>) => onChange({ ...value, ...patch });
  const shownCampaign = value.campaign ?? currentCampaign ?? "";
  const hasDatasets = datasets.length > 0;
  return (
    <div className="lab-source-picker">
      <fieldset className="segmented lab-mode">
        <legend>Outcome from</legend>
        <label className={value.mode === "campaign" ? "on" : undefined}>
          <input
            type="radio"
            name={`${dsId}-mode`}
            checked={value.mode === "campaign"}
            disabled={!hasDatasets}
            onChange={() => set({ mode: "campaign" })}
            data-testid="mode-campaign"
          />
          My campaigns
        </label>
        <label className={value.mode === "model" ? "on" : undefined}>
          <input type="radio" name={`${dsId}-mode`} checked={value.mode === "model"} onChange={() => set({ mode: "model" })} data-testid="mode-model" />
          A model
        </label>
      </fieldset>
      {!hasDatasets && <p className="small muted">No dataset yet: upload one or load the sample from the overview to use your own campaigns.</p>}
      {value.mode === "campaign" && hasDatasets ? (
        <div className="lab-controls u-mt-8">
          <div className="field">
            <label htmlFor={dsId}>Dataset</label>
            <select
              id={dsId}
              value={value.datasetId ?? ""}
              onChange={(e) => set({ datasetId: Number(e.target.value), campaign: null })}
              data-testid="dataset-select"
            >
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                  {d.isSample ? " (sample)" : ""}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={cId}>Campaign</label>
            <select id={cId} value={shownCampaign} onChange={(e) => set({ campaign: e.target.value })} data-testid="campaign-select">
              {campaigns.length === 0 && <option value="">(loading)</option>}
              {campaigns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
          <HorizonField value={value.horizon} onChange={(h) => set({ horizon: h })} name={`${dsId}-h`} />
        </div>
      ) : value.mode === "model" ? (
        <div className="u-mt-8">
          <ModelFields form={value.model} onChange={(m) => set({ model: m })} />
          {horizonInModelMode && (
            <div className="lab-controls u-mt-8">
              <HorizonField value={value.horizon} onChange={(h) => set({ horizon: h })} name={`${dsId}-h`} />
            </div>
          )}
          {modelHint && <p className="small muted">{modelHint}</p>}
        </div>
      ) : null}
    </div>
  );
}

/** Day / week / month radio group. */
function HorizonField({ value, onChange, name }: { value: Horizon; onChange: (h: Horizon) => void; name: string }) {
  return (
    <fieldset className="segmented">
      <legend>Horizon</legend>
      {HORIZONS.map((h) => (
        <label key={h} className={value === h ? "on" : undefined}>
          <input type="radio" name={name} value={h} checked={value === h} onChange={() => onChange(h)} data-testid={`horizon-${h}`} />
          {HORIZON_LABEL[h]}
        </label>
      ))}
    </fieldset>
  );
}
