"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { PoolingDto, PoolingExactDto } from "@/lib/analysis/pooling";
import type { Horizon } from "@/lib/analysis/schemas";
import { formatNumber, formatPercent, formatRange } from "@/lib/format";
import { ChartFrame } from "@/app/_components/chart-frame";
import { PALETTE } from "@/app/_components/palette";
import { CvCurveChart } from "@/app/_components/lab/cv-curve-chart";
import { getJson, postJson } from "@/app/_components/lab/fetch-json";
import { Figure } from "@/app/_components/lab/figure";
import { HistogramChart } from "@/app/_components/lab/histogram-chart";
import { LabStatus } from "@/app/_components/lab/lab-status";
import { useDebouncedValue, useSyncedSearch } from "@/app/_components/lab/hooks";
import { outcomeFormat } from "@/app/_components/lab/lab-format";
import { formToModel, type ModelForm } from "@/app/_components/lab/model-form";
import { RangeChart } from "@/app/_components/lab/range-chart";
import { SliderField } from "@/app/_components/lab/slider-field";
import { SourcePicker, type LabDatasetOption, type SourceState } from "@/app/_components/lab/source-picker";
import { encodeState } from "@/app/_components/lab/url-state";
import { useLabQuery } from "@/app/_components/lab/use-lab-query";

/**
 * How the pool's total moves next to one budget, from the widths of their 5-95% ranges (relative to each mean):
 * under a quarter "barely moves", under three quarters "moves less", else "moves almost as much" (a strong shared
 * rate, which pooling cannot average away).
 */
function poolSwingVerb(pool: readonly [number, number], solo: readonly [number, number]): string {
  const ratio = (pool[1] - pool[0]) / Math.max(solo[1] - solo[0], Number.MIN_VALUE);
  if (ratio < 0.25) return "barely moves";
  if (ratio < 0.75) return "moves less";
  return "moves almost as much";
}

export interface PoolingInitialState {
  mode: "campaign" | "model";
  datasetId: number | null;
  campaign: string | null;
  horizon: Horizon;
  model: ModelForm;
  k: number;
  /** null: the dataset's estimate. */
  rho: number | null;
  /** Percent. */
  fee: number;
  /** Percent. */
  target: number;
}

/**
 * Slider position (0-300, in steps of 5) of a pool size: k = 10^(position / 100), so each decade takes the same
 * length; 20 stops a decade keep the number of distinct pools (each an exact lattice, cached) small.
 */
const kToPos = (k: number) => Math.round(100 * Math.log10(Math.max(1, k)));
const posToK = (p: number) => Math.max(1, Math.min(1000, Math.round(Math.pow(10, p / 100))));

interface Request {
  /** Query key: the GET URL, or the POST body as JSON. */
  key: string;
  /** The page's shareable query string. */
  search: string;
}

/** The exact-points request for an answer: the same source, and the rho the answer used. */
function exactRequestKey(d: PoolingDto): string {
  if (d.source.kind === "campaign") {
    const q = new URLSearchParams({ datasetId: String(d.source.datasetId), campaign: d.source.campaign, horizon: d.source.horizon, rho: String(d.rho) });
    return `/api/pooling/exact?${q.toString()}`;
  }
  return JSON.stringify({ frequency: d.solo.spec.frequency, severity: d.solo.spec.severity, rho: d.rho });
}

function fetchExact(key: string, signal: AbortSignal): Promise<PoolingExactDto> {
  return key.startsWith("/api/") ? getJson<PoolingExactDto>(key, signal) : postJson<PoolingExactDto>("/api/pooling/exact", JSON.parse(key), signal);
}

/** Loads the answer for a request key (a GET URL, or a JSON body to POST). */
function fetchPooling(key: string, signal: AbortSignal): Promise<PoolingDto> {
  return key.startsWith("/api/pooling?") ? getJson<PoolingDto>(key, signal) : postJson<PoolingDto>("/api/pooling", JSON.parse(key), signal);
}

function buildRequest(s: PoolingInitialState): Request {
  const shared = new URLSearchParams();
  shared.set("k", String(s.k));
  if (s.rho !== null) shared.set("rho", String(s.rho));
  if (s.fee > 0) shared.set("fee", String(s.fee));
  if (s.target !== 10) shared.set("target", String(s.target));
  if (s.mode === "campaign" && s.datasetId !== null) {
    const q = new URLSearchParams({ datasetId: String(s.datasetId) });
    if (s.campaign) q.set("campaign", s.campaign);
    q.set("horizon", s.horizon);
    for (const [k, v] of shared) q.set(k, v);
    const url = `/api/pooling?${q.toString()}`;
    const page = new URLSearchParams({ dataset: String(s.datasetId) });
    if (s.campaign) page.set("campaign", s.campaign);
    if (s.horizon !== "week") page.set("horizon", s.horizon);
    for (const [k, v] of shared) page.set(k, v);
    return { key: url, search: page.toString() };
  }
  const model = formToModel(s.model);
  const body = { ...model, k: s.k, rho: s.rho ?? 0, fee: s.fee, target: s.target };
  const page = new URLSearchParams({ mode: "model", model: encodeState(model) });
  for (const [k, v] of shared) page.set(k, v);
  return { key: JSON.stringify(body), search: page.toString() };
}

export interface PoolingLabProps {
  datasets: readonly LabDatasetOption[];
  initialState: PoolingInitialState;
  /** The answer the server rendered with (null when it failed: then `initialMessage` says why). */
  initial: PoolingDto | null;
  initialMessage: string | null;
}

/**
 * The interactive pooling lab: source, pool size (log slider), correlation, fee and CV target; the solo and pooled
 * distributions on one axis, the CV against pool size and the platform's view. Answers come from /api/pooling after
 * the controls rest for ~130 ms; the previous answer stays drawn meanwhile.
 */
export function PoolingLab({ datasets, initialState, initial, initialMessage }: PoolingLabProps) {
  const [source, setSource] = useState<SourceState>({
    mode: initialState.mode,
    datasetId: initialState.datasetId,
    campaign: initialState.campaign,
    horizon: initialState.horizon,
    model: initialState.model,
  });
  const [kPos, setKPos] = useState(kToPos(initialState.k));
  const [rho, setRho] = useState<number | null>(initialState.rho);
  const [fee, setFee] = useState(initialState.fee);
  const [target, setTarget] = useState(initialState.target);
  const k = posToK(kPos);

  const state: PoolingInitialState = { ...source, k, rho, fee, target };
  const request = buildRequest(state);
  const debouncedKey = useDebouncedValue(request.key);
  const initialKey = useMemo(() => buildRequest(initialState).key, [initialState]);
  const q = useLabQuery<PoolingDto>(
    "pooling",
    debouncedKey,
    (signal) => fetchPooling(debouncedKey, signal),
    initial ? { key: initialKey, data: initial } : undefined,
  );
  useSyncedSearch(useDebouncedValue(request.search));

  const d = q.data;
  // The dots of the CV chart (exact lattices at k = 1, 3, 10, ... 1000) depend on the source and rho only: asked for
  // apart, so a k slider move waits for one lattice.
  const exactKey = d ? exactRequestKey(d) : null;
  const exactQ = useQuery({
    queryKey: ["pooling-exact", exactKey],
    queryFn: ({ signal }) => fetchExact(exactKey as string, signal),
    enabled: exactKey !== null,
    staleTime: 5 * 60_000,
    retry: false,
  });
  const exactPoints = useMemo(() => {
    if (!d) return [];
    const byK = new Map(d.cv.exact.map((e) => [e.k, e]));
    if (exactQ.data && exactQ.data.rho === d.rho) for (const e of exactQ.data.exact) byK.set(e.k, e);
    return [...byK.values()].sort((a, b) => a.k - b.k);
  }, [d, exactQ.data]);
  const currency = d?.source.currency ?? null;
  const outcome = d?.source.outcome ?? "revenue";
  const fmt = outcomeFormat(outcome, currency);
  const horizonWord = d?.source.kind === "campaign" ? d.source.horizon : "period";
  const shownRho = rho ?? d?.rho ?? 0;
  const pending = q.fetching || debouncedKey !== request.key;
  const campaigns = d?.source.kind === "campaign" ? d.source.campaigns : [];
  const currentCampaign = d?.source.kind === "campaign" ? d.source.campaign : null;

  const changeSource = (s: SourceState) => {
    // A new dataset or model has its own estimate: go back to it.
    if (s.mode !== source.mode || s.datasetId !== source.datasetId) setRho(null);
    setSource(s);
  };

  return (
    <>
      <section className="panel no-print" aria-label="Pooling controls">
        <SourcePicker
          datasets={datasets}
          campaigns={campaigns}
          currentCampaign={currentCampaign}
          value={source}
          onChange={changeSource}
          modelHint="The model is one budget's outcome over whatever horizon its numbers describe."
        />
        <div className="lab-controls" style={{ marginTop: 14 }}>
          <SliderField
            label="Budgets in the pool (k)"
            display={formatNumber(k, 0)}
            value={kPos}
            min={0}
            max={300}
            step={5}
            onChange={setKPos}
            scale={["1", "1,000"]}
            hint="Log scale: each step of the slider multiplies k."
            testId="k-slider"
            valueText={`${k} budgets`}
          />
          <SliderField
            label="How budgets move together (rho)"
            display={formatNumber(shownRho, 3)}
            value={shownRho}
            min={0}
            max={d?.rhoMax ?? 0.95}
            step={0.005}
            onChange={(v) => setRho(v)}
            scale={["0 independent", `${formatNumber(d?.rhoMax ?? 0.95, 2)}`]}
            testId="rho-slider"
            hint={
              d?.rhoEstimate ? (
                <>
                  Estimated from your data: {formatNumber(d.rhoEstimate.estimate, 3)}.{" "}
                  {rho !== null && (
                    <button type="button" className="link-button" onClick={() => setRho(null)} data-testid="rho-reset">
                      Use the estimate
                    </button>
                  )}
                </>
              ) : (
                "0: budgets independent; higher: good and bad weeks hit them together."
              )
            }
          />
          <SliderField
            label="Operator's fee (% of revenue)"
            display={`${formatNumber(fee, 1)}%`}
            value={fee}
            min={0}
            max={20}
            step={0.5}
            onChange={setFee}
            scale={["0%", "20%"]}
            hint="What the operator keeps: lowers every budget's share, not its swing."
            testId="fee-slider"
          />
          <SliderField
            label="CV target"
            display={`${formatNumber(target, 0)}%`}
            value={target}
            min={2}
            max={50}
            step={1}
            onChange={setTarget}
            scale={["2%", "50%"]}
            hint="The swing you would be comfortable with, for the sentence below."
            testId="target-slider"
          />
        </div>
        <LabStatus
          error={q.error}
          pending={pending}
          done={
            d
              ? d.computeMs >= 1
                ? `Computed in ${formatNumber(d.computeMs, 0)} ms.`
                : "Answered from figures already computed."
              : undefined
          }
          initialMessage={initialMessage}
          hasResult={Boolean(d)}
          testId="pooling-status"
        />
      </section>

      {d && (
        <div className={q.stale ? "lab-stale" : undefined} data-testid="pooling-results" aria-busy={pending}>
          <section className="panel" style={{ marginTop: 16 }}>
            <p className="lab-sentence" data-testid="pool-sentence">
              <strong>{d.target.sentence}</strong>
            </p>
            <p className="small" style={{ margin: 0 }} data-testid="rho-sentence">
              {d.rhoEstimate && d.source.kind === "campaign" ? (
                <>
                  Your campaigns&apos; daily surprises move together: rho = {formatNumber(d.rhoEstimate.estimate, 2)} (90%:{" "}
                  {formatRange(d.rhoEstimate.lo, d.rhoEstimate.hi, (x) => formatNumber(x, 2))}), from {d.rhoEstimate.pairs} campaign pairs over{" "}
                  {d.rhoEstimate.days} days.{d.rhoSource === "user" ? ` The charts use your rho = ${formatNumber(d.rho, 3)}.` : ""}
                </>
              ) : d.source.kind === "campaign" ? (
                "This dataset has no pairs of dated campaigns to estimate rho from: set it by hand."
              ) : (
                "A model has no data to estimate rho from: set it by hand (0 means budgets are independent)."
              )}
            </p>
            <div className="lab-figures">
              <Figure label={`CV alone, per ${horizonWord}`} value={formatPercent(d.solo.figures.cv)} raw={d.solo.figures.cv} testId="solo-cv" sub="one budget" />
              <Figure
                label={`CV in a pool of ${formatNumber(d.k, 0)}`}
                value={formatPercent(d.pooled.figures.cv)}
                raw={d.pooled.figures.cv}
                testId="pooled-cv"
                sub={`closed form ${formatPercent(d.cv.atK)}`}
              />
              <Figure
                label="Floor from correlation"
                value={d.rho > 0 ? formatPercent(d.cv.floor) : "none"}
                raw={d.cv.floor}
                testId="cv-floor"
                sub={d.rho > 0 ? `CV₁ × √rho, rho ${formatNumber(d.rho, 3)}` : "rho = 0: CV keeps falling"}
              />
              <Figure
                label="Middle 90%, pooled"
                value={`${fmt.value(d.pooled.afterFee.q05)}–${fmt.value(d.pooled.afterFee.q95)}`}
                raw={d.pooled.width90}
                testId="pooled-width90"
                sub={`alone: ${fmt.value(d.solo.figures.q05)}–${fmt.value(d.solo.figures.q95)}`}
              />
              <Figure
                label={`Bad ${horizonWord} (5%), pooled`}
                value={fmt.value(d.pooled.afterFee.q05)}
                raw={d.pooled.afterFee.q05}
                testId="pooled-q05"
                sub={`alone: ${fmt.value(d.solo.figures.q05)}`}
              />
              <Figure
                label="Mean per budget"
                value={fmt.value(d.pooled.afterFee.mean)}
                raw={d.pooled.afterFee.mean}
                testId="pooled-mean"
                sub={d.fee > 0 ? `alone: ${fmt.value(d.solo.figures.mean)}; fee ${formatPercent(d.fee)}` : "the same alone and pooled"}
              />
            </div>
            {d.notes.map((n) => (
              <p key={n} className="small muted">
                {n}
              </p>
            ))}
          </section>

          <div className="grid grid-2" style={{ marginTop: 16 }}>
            <PoolHistogram d={d} fmt={fmt} horizonWord={horizonWord} />
            <ChartFrame
              title="CV against pool size"
              caption={`Line: CV₁ √(rho + (1 − rho) / k) with CV₁ = ${formatPercent(d.cv.cv1)}; dots: the same CV from the whole distribution on a lattice, a check on the line; dashed: the floor CV₁ √rho; dotted: your ${formatPercent(d.target.cv, 0)} target.`}
              exportName="pooling-cv-curve"
              data={[
                ...d.cv.curve.map((c) => ({ k: c.k, "CV (closed form)": c.cv, "CV (exact lattice)": "" })),
                ...exactPoints.map((c) => ({ k: c.k, "CV (closed form)": "", "CV (exact lattice)": c.cv })),
              ]}
              json={{ rho: d.rho, cv1: d.cv.cv1, floor: d.cv.floor, curve: d.cv.curve, exact: exactPoints }}
              kind="pooling-cv-curve"
              source={{ source: d.source, rho: d.rho }}
              legend={[
                { label: "Closed form", color: PALETTE.blue, shape: "line" },
                { label: "Lattice check", color: PALETTE.ink, shape: "circle" },
                ...(d.rho > 0 ? [{ label: "Floor CV₁√rho", color: PALETTE.vermillion, shape: "dashed" as const }] : []),
                { label: "Your pool size", color: PALETTE.orange, shape: "line" },
              ]}
            >
              <CvCurveChart curve={d.cv.curve} exact={exactPoints} floor={d.cv.floor} rho={d.rho} k={d.k} cvAtK={d.cv.atK} target={d.target.cv} />
            </ChartFrame>
          </div>

          <div style={{ marginTop: 16 }}>
            <ChartFrame
              title="The platform's view and yours"
              caption={`The pool's total over ${formatNumber(d.k, 0)} budgets ${poolSwingVerb(d.platform.poolRange, d.platform.soloRange)} around its mean (${formatPercent(d.platform.poolRange[0], 0)} to +${formatPercent(d.platform.poolRange[1], 0)}); one budget alone swings ${formatPercent(d.platform.soloRange[0], 0)} to +${formatPercent(d.platform.soloRange[1], 0)}.`}
              exportName="pooling-platform-view"
              data={[
                { view: "one budget", "5% vs mean": d.platform.soloRange[0], "95% vs mean": d.platform.soloRange[1] },
                { view: `pool total, k = ${d.k}`, "5% vs mean": d.platform.poolRange[0], "95% vs mean": d.platform.poolRange[1] },
              ]}
              kind="pooling-platform-view"
              source={{ source: d.source, k: d.k, rho: d.rho }}
              footer={
                <dl className="lab-kv" style={{ marginTop: 8 }} data-testid="platform-figures">
                  <dt>Pool total, mean</dt>
                  <dd>{fmt.value(d.platform.totalMean)}</dd>
                  <dt>Pool total, 90% of {horizonWord}s</dt>
                  <dd>
                    {fmt.value(d.platform.totalQ05)}–{fmt.value(d.platform.totalQ95)}
                  </dd>
                  {d.fee > 0 && (
                    <>
                      <dt>Operator&apos;s take</dt>
                      <dd>{fmt.value(d.platform.feeTake)} on average</dd>
                    </>
                  )}
                </dl>
              }
            >
              <RangeChart
                rows={[
                  {
                    label: "One budget alone (your view)",
                    short: "You: one budget",
                    lo: d.platform.soloRange[0],
                    hi: d.platform.soloRange[1],
                    color: PALETTE.blue,
                    testId: "range-solo",
                  },
                  {
                    label: `The pool's total over ${formatNumber(d.k, 0)} budgets (the platform's view)`,
                    short: `Platform: pool of ${formatNumber(d.k, 0)}`,
                    lo: d.platform.poolRange[0],
                    hi: d.platform.poolRange[1],
                    color: PALETTE.orange,
                    testId: "range-pool",
                  },
                ]}
              />
            </ChartFrame>
          </div>

          <details className="panel" style={{ marginTop: 16 }}>
            <summary>How these figures are computed</summary>
            <p className="small">
              Exact compound distributions on a lattice (step {formatNumber(d.pooled.step, 4)} of the pool&apos;s sum, {formatNumber(d.pooled.gridSize, 0)}{" "}
              points, {d.pooled.method}). Correlation comes from a common shock on every budget&apos;s conversion rate, so a budget alone also carries it:
              with rho above 0 its CV is a little higher than its forecast&apos;s. The operator&apos;s fee scales the share (mean and quantiles) but not
              its CV.
            </p>
            <p className="small">
              <Link href={`/calculator?spec=${encodeState(d.pooled.spec)}`} data-testid="open-in-calculator">
                Open this pool in the calculator
              </Link>{" "}
              (POST /api/model with the same request gives the same figures).
            </p>
          </details>
        </div>
      )}
    </>
  );
}

function PoolHistogram({ d, fmt, horizonWord }: { d: PoolingDto; fmt: ReturnType<typeof outcomeFormat>; horizonWord: string }) {
  const refWidth = d.solo.histogram[0]?.width ?? 1;
  const what = d.source.outcome === "conversions" ? "conversions" : "revenue";
  const xLabel = `${what} per budget over ${d.source.kind === "campaign" ? `a ${horizonWord}` : "the period"}${fmt.unit && what === "revenue" ? ` (${fmt.unit})` : ""}`;
  const feeText = d.fee > 0 ? `, after a ${formatPercent(d.fee)} fee` : "";
  return (
    <ChartFrame
      title={`One budget alone and its share of a pool of ${formatNumber(d.k, 0)}`}
      caption={`Same axis for both: the pooled share (orange${feeText}) gathers around the mean; solid lines mark means, dashed lines the 5% quantile (a bad ${horizonWord}).`}
      exportName="pooling-distributions"
      data={[
        ...d.solo.histogram.map((b) => ({ series: "alone", x: b.x, binWidth: b.width, probability: b.p })),
        ...d.pooled.histogram.map((b) => ({ series: `pool of ${d.k}`, x: b.x, binWidth: b.width, probability: b.p })),
      ]}
      json={{ solo: d.solo, pooled: d.pooled, k: d.k, rho: d.rho, fee: d.fee }}
      kind="pooling-distributions"
      source={{ source: d.source, k: d.k, rho: d.rho, fee: d.fee }}
      legend={[
        { label: "One budget alone", color: PALETTE.blue, shape: "square" },
        { label: `Share of a pool of ${formatNumber(d.k, 0)}`, color: PALETTE.orange, shape: "square" },
        { label: "Mean", color: PALETTE.ink, shape: "line" },
        { label: "5% quantile", color: PALETTE.ink, shape: "dashed" },
      ]}
    >
      <HistogramChart
        testId="pool-histogram"
        series={[
          { key: "solo", label: "One budget alone", color: PALETTE.blue, points: d.solo.histogram },
          { key: "pooled", label: `Share of a pool of ${d.k}`, color: PALETTE.orange, points: d.pooled.histogram },
        ]}
        markers={[
          { x: d.solo.figures.mean, label: `mean ${fmt.value(d.solo.figures.mean)}`, color: PALETTE.blue },
          { x: d.solo.figures.q05, label: `5% alone ${fmt.value(d.solo.figures.q05)}`, color: PALETTE.blue, dash: "5 3" },
          ...(d.fee > 0 ? [{ x: d.pooled.afterFee.mean, label: `mean pooled ${fmt.value(d.pooled.afterFee.mean)}`, color: PALETTE.orange }] : []),
          { x: d.pooled.afterFee.q05, label: `5% pooled ${fmt.value(d.pooled.afterFee.q05)}`, color: PALETTE.orange, dash: "5 3", testId: "pooled-q05-line" },
        ]}
        xLabel={xLabel}
        formatX={fmt.tick}
        mode="density"
        refWidth={refWidth}
        yLabel={`probability per ${fmt.value(refWidth)} band`}
        ariaLabel={`Alone: mean ${fmt.value(d.solo.figures.mean)}, 5% quantile ${fmt.value(d.solo.figures.q05)}; pooled: mean ${fmt.value(d.pooled.afterFee.mean)}, 5% quantile ${fmt.value(d.pooled.afterFee.q05)}`}
      />
    </ChartFrame>
  );
}
