import type { Horizon } from "@/lib/analysis/schemas";
import { DEFAULT_MODEL_FORM, modelToForm, type ModelForm } from "./model-form";
import { decodeState, first } from "./url-state";

export type SearchParams = Record<string, string | string[] | undefined>;

/** Where a lab's outcome comes from, as its link says: a dataset's campaign, or a model given in the link. */
export interface LabSourceState {
  mode: "campaign" | "model";
  datasetId: number | null;
  campaign: string | null;
  horizon: Horizon;
  model: ModelForm;
}

/**
 * The source part of a lab's link (?dataset=&campaign=&horizon=, or ?mode=model&model=...). An unknown or absent
 * dataset falls back to the sample (or the newest dataset); with no dataset at all the lab starts on a model.
 */
export function readSourceState(sp: SearchParams, datasets: ReadonlyArray<{ id: number; isSample: boolean }>): LabSourceState {
  const fallback = (datasets.find((d) => d.isSample) ?? datasets[0])?.id ?? null;
  const rawDs = Number(first(sp.datasetId) ?? first(sp.dataset));
  const datasetId = datasets.some((d) => d.id === rawDs) ? rawDs : fallback;
  const horizon = first(sp.horizon);
  const model = decodeState(first(sp.model));
  return {
    mode: first(sp.mode) === "model" || datasetId === null ? "model" : "campaign",
    datasetId,
    campaign: first(sp.campaign) || null,
    horizon: horizon === "day" || horizon === "month" ? horizon : "week",
    model: model && typeof model === "object" ? modelToForm(model as Record<string, unknown>) : DEFAULT_MODEL_FORM,
  };
}
