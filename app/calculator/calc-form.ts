import { DEFAULT_MODEL_FORM, formToModel, modelToForm, num, type ModelForm } from "@/app/_components/lab/model-form";

/** The calculator's whole form as typed: the model plus the optional parts of the contract. */
export interface CalcForm {
  model: ModelForm;
  step: string;
  pool: string;
  rho: string;
  floorMode: "none" | "q05" | "value";
  floorValue: string;
  quantiles: string;
  es: string;
}

export const DEFAULT_CALC_FORM: CalcForm = {
  model: DEFAULT_MODEL_FORM,
  step: "",
  pool: "",
  rho: "",
  floorMode: "q05",
  floorValue: "",
  quantiles: "0.05, 0.5, 0.95",
  es: "0.99",
};

/** "0.05, 0.5" -> [0.05, 0.5]; unreadable entries become NaN (sent as null: the API names them). */
function list(s: string): number[] {
  return s
    .split(/[\s,;]+/)
    .filter((t) => t !== "")
    .map((t) => num(t));
}

/** The POST /api/model request for a form (unvalidated: the API checks it and says what is wrong). */
export function formToRequest(f: CalcForm): Record<string, unknown> {
  const req: Record<string, unknown> = { ...formToModel(f.model) };
  if (f.step.trim() !== "") req.step = num(f.step);
  if (f.pool.trim() !== "") req.pool = num(f.pool);
  if (f.rho.trim() !== "") req.rho = num(f.rho);
  if (f.floorMode === "q05") req.floor = "q05";
  if (f.floorMode === "value") req.floor = num(f.floorValue);
  if (f.quantiles.trim() !== "") req.quantiles = list(f.quantiles);
  if (f.es.trim() !== "") req.es = list(f.es);
  return req;
}

const text = (v: unknown): string => (typeof v === "number" && Number.isFinite(v) ? String(v) : "");
/** A list as typed; "" when the request left it out (the API then uses its default levels). */
const listText = (v: unknown): string => (Array.isArray(v) ? v.filter((x) => typeof x === "number" && Number.isFinite(x)).join(", ") : "");

/** A form from a request (e.g. decoded from a shared link); what cannot be read keeps the default. */
export function requestToForm(r: unknown): CalcForm {
  if (!r || typeof r !== "object") return DEFAULT_CALC_FORM;
  const o = r as Record<string, unknown>;
  const floor = o.floor;
  return {
    model: modelToForm(o),
    step: text(o.step),
    pool: text(o.pool),
    rho: text(o.rho),
    floorMode: floor === "q05" ? "q05" : typeof floor === "number" ? "value" : floor === undefined ? "none" : "q05",
    floorValue: text(floor),
    quantiles: listText(o.quantiles),
    es: listText(o.es),
  };
}
