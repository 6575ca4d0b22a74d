"use client";

import Link from "next/link";
import { useId, useState } from "react";
import type { ModelHistogramDto } from "@/lib/analysis/pooling-calculator";
import type { ModelResponse } from "@/lib/engine/contract";
import { formatNumber, formatPercent, formatSig } from "@/lib/format";
import { ChartFrame } from "@/app/_components/chart-frame";
import { PALETTE } from "@/app/_components/palette";
import { postJson } from "@/app/_components/lab/fetch-json";
import { HistogramChart } from "@/app/_components/lab/histogram-chart";
import { useDebouncedValue, useSyncedSearch } from "@/app/_components/lab/hooks";
import { ModelFields } from "@/app/_components/lab/model-fields";
import { encodeState } from "@/app/_components/lab/url-state";
import { useLabQuery } from "@/app/_components/lab/use-lab-query";
import { formToRequest, type CalcForm } from "./calc-form";

/** Typing pause before the model is recomputed (ms). */
const TYPE_DEBOUNCE_MS = 300;

export interface CalculatorProps {
  initialForm: CalcForm;
  /** Figures and chart the server computed for the initial form, keyed by its request JSON. */
  initial: { key: string; figures: ModelResponse; dist: ModelHistogramDto } | null;
}

function Field({ label, hint, value, onChange, testId, placeholder }: { label: string; hint?: string; value: string; onChange: (v: string) => void; testId?: string; placeholder?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="text" inputMode="decimal" autoComplete="off" value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
      {hint && <span className="small muted">{hint}</span>}
    </div>
  );
}

/**
 * The model contract as a form: frequency, severity (with an editable list of empirical points), optional lattice
 * step, pool, correlation, floor, quantiles and ES levels. Figures from POST /api/model, the chart from POST
 * /api/model/distribution; the whole form lives in the URL (?spec=...).
 */
export function Calculator({ initialForm, initial }: CalculatorProps) {
  const [form, setForm] = useState<CalcForm>(initialForm);
  const floorName = useId();
  const set = (patch: Partial<CalcForm>) => setForm((f) => ({ ...f, ...patch }));
  const request = formToRequest(form);
  const key = JSON.stringify(request);
  const debouncedKey = useDebouncedValue(key, TYPE_DEBOUNCE_MS);
  const figures = useLabQuery<ModelResponse>(
    "model",
    debouncedKey,
    (signal) => postJson<ModelResponse>("/api/model", JSON.parse(debouncedKey), signal),
    initial ? { key: initial.key, data: initial.figures } : undefined,
  );
  const dist = useLabQuery<ModelHistogramDto>(
    "model-distribution",
    debouncedKey,
    (signal) => postJson<ModelHistogramDto>("/api/model/distribution", JSON.parse(debouncedKey), signal),
    initial ? { key: initial.key, data: initial.dist } : undefined,
  );
  useSyncedSearch(`spec=${encodeState(JSON.parse(debouncedKey))}`);
  const f = figures.data;
  const error = figures.error ?? dist.error;
  const pending = debouncedKey !== key || figures.fetching || dist.fetching;
  const pool = f && typeof request.pool === "number" && request.pool > 1 ? request.pool : 1;
  const q05 = f?.quantiles["0.05"];
  const q95 = f?.quantiles["0.95"];
  const poolLink = `/pooling?${new URLSearchParams({
    mode: "model",
    model: encodeState({ frequency: request.frequency, severity: request.severity }),
    k: String(Math.min(1000, Math.max(1, Math.round(pool)))),
    ...(typeof request.rho === "number" ? { rho: String(request.rho) } : {}),
  }).toString()}`;

  return (
    <div className="grid" style={{ gridTemplateColumns: "minmax(0, 1fr)" }}>
      <section className="panel" aria-label="Model">
        <ModelFields form={form.model} onChange={(m) => set({ model: m })} />
        <div className="lab-controls" style={{ marginTop: 12 }}>
          <Field label="Lattice step (optional)" hint="Currency per lattice point; empty: automatic." value={form.step} onChange={(v) => set({ step: v })} placeholder="automatic" testId="calc-step" />
          <Field label="Pool of k budgets (optional)" hint="Figures become one budget's share." value={form.pool} onChange={(v) => set({ pool: v })} placeholder="1" testId="calc-pool" />
          <Field label="Correlation rho (optional)" hint="0 to under 1; with a pool." value={form.rho} onChange={(v) => set({ rho: v })} placeholder="0" testId="calc-rho" />
          <Field label="Quantile levels" hint="Between 0 and 1, separated by commas." value={form.quantiles} onChange={(v) => set({ quantiles: v })} testId="calc-quantiles" />
          <Field label="Expected shortfall levels" hint="e.g. 0.99: the average of the worst 1%." value={form.es} onChange={(v) => set({ es: v })} testId="calc-es" />
          <fieldset className="segmented" style={{ gridColumn: "1 / -1" }}>
            <legend>Floor (collar)</legend>
            {(
              [
                ["none", "None"],
                ["q05", "5% quantile"],
                ["value", "Amount"],
              ] as const
            ).map(([v, label]) => (
              <label key={v} className={form.floorMode === v ? "on" : undefined}>
                <input type="radio" name={floorName} checked={form.floorMode === v} onChange={() => set({ floorMode: v })} />
                {label}
              </label>
            ))}
          </fieldset>
          {form.floorMode === "value" && <Field label="Floor amount" value={form.floorValue} onChange={(v) => set({ floorValue: v })} testId="calc-floor" />}
        </div>
        <div className="lab-form-error" aria-live="polite">
          {error ? (
            <p className="alert error" role="alert" data-testid="calc-error">
              {error}
            </p>
          ) : (
            <p className="small muted lab-status">{pending ? "Computing…" : f ? `Computed on a lattice of ${formatNumber(f.gridSize, 0)} points (step ${formatSig(f.step, 4)}, ${f.method}).` : ""}</p>
          )}
        </div>
      </section>

      {f && (
        <div className={`grid grid-2 ${figures.stale ? "lab-stale" : ""}`} data-testid="calc-results">
          <section className="panel" aria-labelledby="calc-figures-h">
            <h2 id="calc-figures-h" style={{ marginTop: 0 }}>
              Figures{pool > 1 ? ` (one budget's share of ${formatNumber(pool, 0)})` : ""}
            </h2>
            <div className="table-wrap">
              <table data-testid="calc-figures">
                <tbody>
                  <Row label="Mean" value={formatSig(f.mean, 5)} raw={f.mean} testId="calc-mean" />
                  <Row label="Standard deviation" value={formatSig(f.sd, 5)} raw={f.sd} hint={sdHint(f)} testId="calc-sd" />
                  <Row label="Coefficient of variation" value={formatPercent(f.cv, 2)} raw={f.cv} testId="calc-cv" />
                  <Row label="Skewness" value={formatSig(f.skewness, 4)} raw={f.skewness} />
                  <Row label="P(total = 0)" value={formatPercent(f.pZero, 2)} raw={f.pZero} />
                  {Object.entries(f.quantiles).map(([p, v]) => (
                    <Row key={`q${p}`} label={`${formatPercent(Number(p), 1)} quantile`} value={formatSig(v, 5)} raw={v} />
                  ))}
                  {Object.entries(f.es).map(([p, v]) => (
                    <Row key={`es${p}`} label={`Expected shortfall ${formatPercent(Number(p), 1)}`} value={formatSig(v, 5)} raw={v} hint="average of the outcomes above that quantile" />
                  ))}
                  {f.collar && (
                    <>
                      <Row label="Collar floor" value={formatSig(f.collar.floor, 5)} raw={f.collar.floor} />
                      <Row label="Floor value E[(F − S)+]" value={formatSig(f.collar.put, 5)} raw={f.collar.put} />
                      <Row
                        label="Zero-cost cap"
                        value={f.collar.zeroCostCap === null ? "none (floor above the mean)" : formatSig(f.collar.zeroCostCap, 5)}
                        raw={f.collar.zeroCostCap}
                        testId="calc-cap"
                      />
                    </>
                  )}
                </tbody>
              </table>
            </div>
            <p className="small" style={{ marginBottom: 0 }}>
              <Link href={poolLink}>Pool this model in the pooling lab →</Link>
            </p>
          </section>
          {dist.data && (
            <ChartFrame
              title="Distribution of the total"
              caption="Probability of each band of outcomes between the 0.1% and 99.9% quantiles; the solid line is the mean, dashed lines the 5% and 95% quantiles."
              exportName="calculator-distribution"
              data={dist.data.histogram.map((b) => ({ x: b.x, binWidth: b.width, probability: b.p }))}
              json={{ request, figures: f, distribution: dist.data }}
              kind="model-distribution"
              source={{ request }}
              legend={[
                { label: "Probability per band", color: PALETTE.blue, shape: "square" },
                { label: "Mean", color: PALETTE.ink, shape: "line" },
                { label: "5% and 95% quantiles", color: PALETTE.vermillion, shape: "dashed" },
              ]}
            >
              <HistogramChart
                testId="calc-histogram"
                series={[{ key: "total", label: "Total", color: PALETTE.blue, points: dist.data.histogram }]}
                markers={[
                  { x: f.mean, label: `mean ${formatSig(f.mean, 4)}`, color: PALETTE.ink },
                  ...(q05 !== undefined ? [{ x: q05, label: `5%: ${formatSig(q05, 4)}`, color: PALETTE.vermillion, dash: "5 3" }] : []),
                  ...(q95 !== undefined ? [{ x: q95, label: `95%: ${formatSig(q95, 4)}`, color: PALETTE.vermillion, dash: "5 3" }] : []),
                ]}
                xLabel={pool > 1 ? "one budget's share of the pool's total" : "total (order values summed)"}
                formatX={(v) => formatSig(v, 3)}
                yLabel="probability per bin"
                ariaLabel={`Mean ${formatSig(f.mean, 4)}; 5% quantile ${q05 ?? "–"}; 95% quantile ${q95 ?? "–"}`}
              />
            </ChartFrame>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * Where the lattice's sd is more than 0.1% from the model's closed form (order values whose tail runs past the
 * lattice's end, such as lognormal sigma 3), the closed form and the gap; else nothing.
 */
function sdHint(f: ModelResponse): string | undefined {
  const closed = f.accuracy.closedForm.sd;
  if (!(closed > 0) || Math.abs(f.sd / closed - 1) <= 1e-3) return undefined;
  return `the model's closed form is ${formatSig(closed, 5)}; the lattice's is ${formatPercent(Math.abs(f.sd / closed - 1), 1)} ${f.sd < closed ? "below" : "above"}: it leaves out the rarest, largest orders`;
}

function Row({ label, value, raw, hint, testId }: { label: string; value: string; raw: number | null; hint?: string; testId?: string }) {
  return (
    <tr data-testid={testId} data-value={raw === null || !Number.isFinite(raw) ? undefined : String(raw)}>
      <th scope="row" className="row-head">
        {label}
        {hint && <span className="th-sub wrap">{hint}</span>}
      </th>
      <td className="num">{value}</td>
    </tr>
  );
}
