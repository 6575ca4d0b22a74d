"use client";

import { useId } from "react";
import { formatFixed } from "@/lib/format";
import { num, type ModelForm } from "./model-form";


function NumberField({ label, hint, value, onChange, testId }: { label: string; hint?: string; value: string; onChange: (v: string) => void; testId?: string }) {
  const id = useId();
  return (
    <div className="field lab-num">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="text" inputMode="decimal" autoComplete="off" value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
      {hint && <span className="small muted">{hint}</span>}
    </div>
  );
}

/**
 * Inputs for a model's conversion count (frequency) and order value (severity), including an editable list of
 * empirical [value, probability] points. Presentational: the parent keeps the form.
 */
export function ModelFields({ form, onChange }: { form: ModelForm; onChange: (f: ModelForm) => void }) {
  const freqId = useId();
  const sevId = useId();
  const set = (patch: Partial<ModelForm>) => onChange({ ...form, ...patch });
  const setPoint = (i: number, patch: Partial<{ value: string; prob: string }>) =>
    set({ points: form.points.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  const total = form.points.reduce((s, p) => s + (Number.isFinite(num(p.prob)) ? num(p.prob) : 0), 0);
  return (
    <div className="lab-model-fields">
      <fieldset className="lab-fieldset">
        <legend>Conversions over the horizon</legend>
        <div className="field">
          <label htmlFor={freqId}>Distribution</label>
          <select id={freqId} value={form.freqKind} onChange={(e) => set({ freqKind: e.target.value as ModelForm["freqKind"] })} data-testid="freq-kind">
            <option value="poisson">Poisson (a rate of sales)</option>
            <option value="binomial">Binomial (clicks × conversion rate)</option>
            <option value="negbin">Negative binomial (a rate that itself varies)</option>
          </select>
        </div>
        <div className="lab-row">
          {form.freqKind === "poisson" && <NumberField label="Expected conversions (λ)" value={form.lambda} onChange={(v) => set({ lambda: v })} testId="freq-lambda" />}
          {form.freqKind === "binomial" && (
            <>
              <NumberField label="Clicks (n)" value={form.n} onChange={(v) => set({ n: v })} />
              <NumberField label="Conversion rate (p)" hint="e.g. 0.02 for 2%" value={form.p} onChange={(v) => set({ p: v })} />
            </>
          )}
          {form.freqKind === "negbin" && (
            <>
              <NumberField label="Expected conversions" value={form.mean} onChange={(v) => set({ mean: v })} />
              <NumberField label="Size r" hint="smaller = more spread" value={form.r} onChange={(v) => set({ r: v })} />
            </>
          )}
        </div>
      </fieldset>
      <fieldset className="lab-fieldset">
        <legend>Value of one order</legend>
        <div className="field">
          <label htmlFor={sevId}>Distribution</label>
          <select id={sevId} value={form.sevKind} onChange={(e) => set({ sevKind: e.target.value as ModelForm["sevKind"] })} data-testid="sev-kind">
            <option value="lognormal">Lognormal</option>
            <option value="gamma">Gamma</option>
            <option value="constant">Every order worth the same</option>
            <option value="empirical">My own list of values</option>
          </select>
        </div>
        <div className="lab-row">
          {form.sevKind === "constant" && <NumberField label="Order value" hint="1 counts conversions" value={form.value} onChange={(v) => set({ value: v })} />}
          {form.sevKind === "lognormal" && (
            <>
              <NumberField label="μ (log of the median)" value={form.mu} onChange={(v) => set({ mu: v })} testId="sev-mu" />
              <NumberField label="σ (spread of the log)" value={form.sigma} onChange={(v) => set({ sigma: v })} testId="sev-sigma" />
            </>
          )}
          {form.sevKind === "gamma" && (
            <>
              <NumberField label="Shape" value={form.shape} onChange={(v) => set({ shape: v })} />
              <NumberField label="Scale" value={form.scale} onChange={(v) => set({ scale: v })} />
            </>
          )}
        </div>
        {form.sevKind === "empirical" && (
          <div className="lab-points">
            <table>
              <thead>
                <tr>
                  <th scope="col">Order value</th>
                  <th scope="col">Probability</th>
                  <th scope="col">
                    <span className="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {form.points.map((pt, i) => (
                  <tr key={i}>
                    <td>
                      <input type="text" inputMode="decimal" aria-label={`Order value ${i + 1}`} value={pt.value} onChange={(e) => setPoint(i, { value: e.target.value })} />
                    </td>
                    <td>
                      <input type="text" inputMode="decimal" aria-label={`Probability ${i + 1}`} value={pt.prob} onChange={(e) => setPoint(i, { prob: e.target.value })} />
                    </td>
                    <td>
                      <button type="button" className="btn small" aria-label={`Remove row ${i + 1}`} disabled={form.points.length <= 1} onClick={() => set({ points: form.points.filter((_, j) => j !== i) })}>
                        ×
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="btn-row">
              <button type="button" className="btn small" onClick={() => set({ points: [...form.points, { value: "", prob: "" }] })} disabled={form.points.length >= 200}>
                Add a value
              </button>
              <span className="small muted">Probabilities add up to {formatFixed(total, 3)} (they must sum to 1).</span>
            </div>
          </div>
        )}
      </fieldset>
    </div>
  );
}
