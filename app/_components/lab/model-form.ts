/** The model form's state and its conversion to and from the model contract (pure: server and browser). */

/** The model's frequency and severity as typed (strings, so a half-typed number is kept as the user wrote it). */
export interface ModelForm {
  freqKind: "poisson" | "binomial" | "negbin";
  lambda: string;
  n: string;
  p: string;
  r: string;
  mean: string;
  sevKind: "constant" | "lognormal" | "gamma" | "empirical";
  value: string;
  mu: string;
  sigma: string;
  shape: string;
  scale: string;
  points: { value: string; prob: string }[];
}

/** About 8 orders a week worth about $75 each (lognormal mu 4, sigma 0.8). */
export const DEFAULT_MODEL_FORM: ModelForm = {
  freqKind: "poisson",
  lambda: "8",
  n: "400",
  p: "0.02",
  r: "5",
  mean: "8",
  sevKind: "lognormal",
  value: "75",
  mu: "4",
  sigma: "0.8",
  shape: "2",
  scale: "40",
  points: [
    { value: "40", prob: "0.5" },
    { value: "90", prob: "0.3" },
    { value: "250", prob: "0.2" },
  ],
};

/** A typed number: "" and anything unreadable become NaN, which JSON sends as null (the API then names the field). */
export function num(s: string): number {
  const t = s.trim().replace(/,/g, "");
  return t === "" ? Number.NaN : Number(t);
}

/** The contract's `frequency` and `severity` for a form (unvalidated: the API checks them). */
export function formToModel(f: ModelForm): { frequency: Record<string, unknown>; severity: Record<string, unknown> } {
  const frequency =
    f.freqKind === "poisson"
      ? { kind: "poisson", lambda: num(f.lambda) }
      : f.freqKind === "binomial"
        ? { kind: "binomial", n: num(f.n), p: num(f.p) }
        : { kind: "negbin", r: num(f.r), mean: num(f.mean) };
  const severity =
    f.sevKind === "constant"
      ? { kind: "constant", value: num(f.value) }
      : f.sevKind === "lognormal"
        ? { kind: "lognormal", mu: num(f.mu), sigma: num(f.sigma) }
        : f.sevKind === "gamma"
          ? { kind: "gamma", shape: num(f.shape), scale: num(f.scale) }
          : { kind: "empirical", points: f.points.map((pt) => [num(pt.value), num(pt.prob)]) };
  return { frequency, severity };
}

const str = (v: unknown, fallback: string): string => (typeof v === "number" && Number.isFinite(v) ? String(v) : fallback);

/** A form filled from a (possibly partial or foreign) model object; unknown parts keep the defaults. */
export function modelToForm(m: { frequency?: unknown; severity?: unknown }): ModelForm {
  const f = { ...DEFAULT_MODEL_FORM, points: [...DEFAULT_MODEL_FORM.points] };
  const fr = (m.frequency ?? {}) as Record<string, unknown>;
  if (fr.kind === "poisson" || fr.kind === "binomial" || fr.kind === "negbin") f.freqKind = fr.kind;
  f.lambda = str(fr.lambda, f.lambda);
  f.n = str(fr.n, f.n);
  f.p = str(fr.p, f.p);
  f.r = str(fr.r, f.r);
  f.mean = str(fr.mean, f.mean);
  const sv = (m.severity ?? {}) as Record<string, unknown>;
  if (sv.kind === "constant" || sv.kind === "lognormal" || sv.kind === "gamma" || sv.kind === "empirical") f.sevKind = sv.kind;
  f.value = str(sv.value, f.value);
  f.mu = str(sv.mu, f.mu);
  f.sigma = str(sv.sigma, f.sigma);
  f.shape = str(sv.shape, f.shape);
  f.scale = str(sv.scale, f.scale);
  if (Array.isArray(sv.points)) {
    const pts = (sv.points as unknown[])
      .filter((p): p is [unknown, unknown] => Array.isArray(p) && p.length === 2)
      .slice(0, 200)
      .map(([v, p]) => ({ value: str(v, ""), prob: str(p, "") }));
    if (pts.length > 0) f.points = pts;
  }
  return f;
}

