"use client";

import { useId, useMemo, useState } from "react";
import type { CollarDto } from "@/lib/analysis/collar";
import { HORIZON_DAYS, type Horizon } from "@/lib/analysis/schemas";
import { formatNumber, formatPercent, formatProbability } from "@/lib/format";
import { ChartFrame } from "@/app/_components/chart-frame";
import { PALETTE } from "@/app/_components/palette";
import { getJson, postJson } from "@/app/_components/lab/fetch-json";
import { Figure } from "@/app/_components/lab/figure";
import { HistogramChart } from "@/app/_components/lab/histogram-chart";
import { useDebouncedValue, useSyncedSearch } from "@/app/_components/lab/hooks";
import { outcomeFormat, type OutcomeFormat } from "@/app/_components/lab/lab-format";
import { formToModel, type ModelForm } from "@/app/_components/lab/model-form";
import { SliderField } from "@/app/_components/lab/slider-field";
import { SourcePicker, type LabDatasetOption, type SourceState } from "@/app/_components/lab/source-picker";
import { encodeState } from "@/app/_components/lab/url-state";
import { useLabQuery } from "@/app/_components/lab/use-lab-query";
import { LabStatus } from "@/app/_components/lab/lab-status";

export interface CollarInitialState {
  mode: "campaign" | "model";
  datasetId: number | null;
  campaign: string | null;
  horizon: Horizon;
  model: ModelForm;
  outcome: "revenue" | "conversions";
  /** null: the default (10% quantile for the floor, 95% for a hand-set cap). */
  floor: number | null;
  cap: number | null;
  zeroCost: boolean;
  coin: "BTC" | "ETH";
}

function buildRequest(s: CollarInitialState): { key: string; search: string } {
  const controls = new URLSearchParams();
  if (s.floor !== null) controls.set("floor", String(s.floor));
  if (!s.zeroCost) {
    controls.set("zeroCost", "0");
    if (s.cap !== null) controls.set("cap", String(s.cap));
  }
  if (s.coin !== "BTC") controls.set("coin", s.coin);
  if (s.mode === "campaign" && s.datasetId !== null) {
    const q = new URLSearchParams({ datasetId: String(s.datasetId) });
    if (s.campaign) q.set("campaign", s.campaign);
    q.set("horizon", s.horizon);
    q.set("outcome", s.outcome);
    for (const [k, v] of controls) q.set(k, v);
    const page = new URLSearchParams({ dataset: String(s.datasetId) });
    if (s.campaign) page.set("campaign", s.campaign);
    if (s.horizon !== "week") page.set("horizon", s.horizon);
    if (s.outcome !== "revenue") page.set("outcome", s.outcome);
    for (const [k, v] of controls) page.set(k, v);
    return { key: `/api/collar?${q.toString()}`, search: page.toString() };
  }
  const model = formToModel(s.model);
  const body = {
    ...model,
    horizonDays: HORIZON_DAYS[s.horizon],
    zeroCost: s.zeroCost,
    coin: s.coin,
    ...(s.floor !== null ? { floor: s.floor } : {}),
    ...(!s.zeroCost && s.cap !== null ? { cap: s.cap } : {}),
  };
  const page = new URLSearchParams({ mode: "model", model: encodeState(model) });
  if (s.horizon !== "week") page.set("horizon", s.horizon);
  for (const [k, v] of controls) page.set(k, v);
  return { key: JSON.stringify(body), search: page.toString() };
}

function fetchCollar(key: string, signal: AbortSignal): Promise<CollarDto> {
  return key.startsWith("/api/collar?") ? getJson<CollarDto>(key, signal) : postJson<CollarDto>("/api/collar", JSON.parse(key), signal);
}

export interface CollarDeskProps {
  datasets: readonly LabDatasetOption[];
  initialState: CollarInitialState;
  initial: CollarDto | null;
  initialMessage: string | null;
}

/**
 * The interactive collar desk: source, outcome, floor, cap or the zero-cost switch, and the coin; the outcome before
 * and after the collar (floor and cap as spikes), the legs' values and what changes, and the same collar on a coin.
 */
export function CollarDesk({ datasets, initialState, initial, initialMessage }: CollarDeskProps) {
  const [source, setSource] = useState<SourceState>({
    mode: initialState.mode,
    datasetId: initialState.datasetId,
    campaign: initialState.campaign,
    horizon: initialState.horizon,
    model: initialState.model,
  });
  const [outcome, setOutcome] = useState(initialState.outcome);
  const [floor, setFloor] = useState<number | null>(initialState.floor);
  const [cap, setCap] = useState<number | null>(initialState.cap);
  const [zeroCost, setZeroCost] = useState(initialState.zeroCost);
  const [coin, setCoin] = useState<"BTC" | "ETH">(initialState.coin);
  const outcomeName = useId();
  const coinId = useId();

  const request = buildRequest({ ...source, outcome, floor, cap, zeroCost, coin });
  const debouncedKey = useDebouncedValue(request.key);
  const initialKey = useMemo(() => buildRequest(initialState).key, [initialState]);
  const q = useLabQuery<CollarDto>("collar", debouncedKey, (signal) => fetchCollar(debouncedKey, signal), initial ? { key: initialKey, data: initial } : undefined);
  useSyncedSearch(useDebouncedValue(request.search));

  const d = q.data;
  const fmt = outcomeFormat(d?.source.outcome ?? outcome, d?.source.currency ?? null);
  const pending = q.fetching || debouncedKey !== request.key;
  const horizonWord = d?.source.kind === "campaign" ? d.source.horizon : source.horizon;
  const resetLevels = () => {
    setFloor(null);
    setCap(null);
  };
  const r = d?.ranges;
  const floorValue = Math.min(r?.floorMax ?? Infinity, Math.max(r?.floorMin ?? -Infinity, floor ?? d?.floor ?? 0));
  const capValue = Math.min(r?.capMax ?? Infinity, Math.max(r?.capMin ?? -Infinity, cap ?? d?.cap ?? 0));

  return (
    <>
      <section className="panel no-print" aria-label="Collar controls">
        <SourcePicker
          datasets={datasets}
          campaigns={d?.source.kind === "campaign" ? d.source.campaigns : []}
          currentCampaign={d?.source.kind === "campaign" ? d.source.campaign : null}
          value={source}
          onChange={(s) => {
            if (s.mode !== source.mode || s.datasetId !== source.datasetId || s.campaign !== source.campaign || s.horizon !== source.horizon) resetLevels();
            setSource(s);
          }}
          horizonInModelMode
          modelHint="The horizon sets how long the coin is held beside it."
        />
        <div className="lab-controls" style={{ marginTop: 14 }}>
          {source.mode === "campaign" && (
            <fieldset className="segmented">
              <legend>Outcome</legend>
              {(["revenue", "conversions"] as const).map((o) => (
                <label key={o} className={outcome === o ? "on" : undefined}>
                  <input
                    type="radio"
                    name={outcomeName}
                    checked={outcome === o}
                    onChange={() => {
                      setOutcome(o);
                      resetLevels();
                    }}
                  />
                  {o === "revenue" ? "Revenue" : "Conversions"}
                </label>
              ))}
            </fieldset>
          )}
          <SliderField
            label="Floor"
            display={d ? fmt.value(floor ?? d.floor) : "–"}
            value={floorValue}
            min={r?.floorMin ?? 0}
            max={r?.floorMax ?? 1}
            step={r?.step ?? 1}
            onChange={(v) => setFloor(v)}
            scale={r ? [fmt.value(r.floorMin), fmt.value(r.floorMax)] : undefined}
            hint={floor === null ? `Default: the ${horizonWord}'s 10% quantile.` : undefined}
            testId="floor-slider"
            disabled={!d}
          />
          <div className="field">
            <label className="lab-switch">
              <input type="checkbox" role="switch" checked={zeroCost} onChange={(e) => setZeroCost(e.target.checked)} data-testid="zero-cost-switch" />
              Zero cost: the cap pays for the floor
            </label>
            <span className="small muted">{zeroCost ? "The cap is solved so the collar costs nothing on average." : "Set the cap yourself; the difference is the premium."}</span>
          </div>
          <SliderField
            label="Cap"
            display={d ? fmt.value(zeroCost ? d.cap : (cap ?? d.cap)) : "–"}
            value={capValue}
            min={r?.capMin ?? 0}
            max={r?.capMax ?? 1}
            step={r?.step ?? 1}
            onChange={(v) => setCap(v)}
            scale={r ? [fmt.value(r.capMin), fmt.value(r.capMax)] : undefined}
            hint={zeroCost ? "Solved by the zero-cost switch." : cap === null ? "Default: the 95% quantile." : undefined}
            testId="cap-slider"
            disabled={!d || zeroCost}
          />
          <div className="field">
            <label htmlFor={coinId}>Coin beside it</label>
            <select id={coinId} value={coin} onChange={(e) => setCoin(e.target.value as "BTC" | "ETH")} data-testid="coin-select">
              <option value="BTC">Bitcoin (BTC)</option>
              <option value="ETH">Ether (ETH)</option>
            </select>
          </div>
        </div>
        <LabStatus error={q.error} pending={pending} initialMessage={initialMessage} hasResult={Boolean(d)} />
      </section>

      {d && (
        <div className={q.stale ? "lab-stale" : undefined} data-testid="collar-results" aria-busy={pending}>
          <section className="panel" style={{ marginTop: 16 }}>
            <p className="lab-sentence" data-testid="collar-sentence">
              <strong>{d.sentence}</strong>
            </p>
            <div className="lab-figures">
              <Figure
                label="Premium (floor − cap value)"
                value={fmt.value(Math.abs(d.premium) < 1e-9 * Math.max(1, d.before.figures.mean) ? 0 : d.premium)}
                raw={d.premium}
                testId="collar-premium"
                sub={d.zeroCost ? "zero cost: the legs cancel" : d.premium >= 0 ? "paid up front" : "received up front"}
              />
              <Figure label="Floor value" value={fmt.value(d.put)} raw={d.put} testId="collar-put" sub={`pays in ${formatProbability(d.pFloorPays)} of ${horizonWord}s`} />
              <Figure label="Cap value (upside handed over)" value={fmt.value(d.call)} raw={d.call} testId="collar-call" sub={`binds in ${formatProbability(d.pCapBinds)} of ${horizonWord}s`} />
              <Figure
                label="Mean given up"
                value={fmt.value(d.meanGivenUp)}
                raw={d.meanGivenUp}
                testId="collar-mean-given-up"
                sub={`mean ${fmt.value(d.before.figures.mean)} → ${fmt.value(d.after.figures.mean)}`}
              />
              <Figure
                label="5% quantile gained"
                value={fmt.value(d.q05Gained)}
                raw={d.q05Gained}
                testId="collar-q05-gained"
                sub={`${fmt.value(d.before.figures.q05)} → ${fmt.value(d.after.figures.q05)}`}
              />
              <Figure
                label="Worst 5% average"
                value={fmt.value(d.after.figures.worst5)}
                raw={d.after.figures.worst5}
                testId="collar-worst5"
                sub={`was ${fmt.value(d.before.figures.worst5)}`}
              />
            </div>
            {d.notes.map((n) => (
              <p key={n} className="small muted">
                {n}
              </p>
            ))}
          </section>
          <div className="grid grid-2" style={{ marginTop: 16 }}>
            <CampaignChart d={d} fmt={fmt} horizonWord={horizonWord} />
            <CoinChart d={d} />
          </div>
        </div>
      )}
    </>
  );
}

function CampaignChart({ d, fmt, horizonWord }: { d: CollarDto; fmt: OutcomeFormat; horizonWord: string }) {
  const what = d.source.outcome === "conversions" ? "conversions" : "revenue";
  const title = d.source.kind === "campaign" ? `${d.source.campaign}: ${what} over a ${horizonWord}` : `The model's ${what}`;
  return (
    <ChartFrame
      title={title}
      caption={`Blue: as forecast. Orange: with the collar, whose mass below the floor and above the cap lands on the two spikes (${formatPercent(d.after.atoms[0]?.p ?? 0, 0)} and ${formatPercent(d.after.atoms[1]?.p ?? 0, 0)} of ${horizonWord}s).`}
      exportName="collar-outcome"
      data={[
        ...d.before.histogram.map((b) => ({ series: "before", x: b.x, binWidth: b.width, probability: b.p })),
        ...d.after.histogram.map((b) => ({ series: "after", x: b.x, binWidth: b.width, probability: b.p })),
        ...d.after.atoms.map((a) => ({ series: `after (${a.label})`, x: a.x, binWidth: 0, probability: a.p })),
      ]}
      json={{ floor: d.floor, cap: d.cap, put: d.put, call: d.call, premium: d.premium, before: d.before, after: d.after }}
      kind="collar-outcome"
      source={{ source: d.source }}
      legend={[
        { label: "Before the collar", color: PALETTE.blue, shape: "square" },
        { label: "After (between floor and cap)", color: PALETTE.orange, shape: "square" },
        { label: "Floor and cap (spikes)", color: PALETTE.vermillion, shape: "circle" },
        { label: "Mean", color: PALETTE.ink, shape: "line" },
      ]}
    >
      <HistogramChart
        testId="collar-histogram"
        series={[
          { key: "before", label: "Before the collar", color: PALETTE.blue, points: d.before.histogram },
          { key: "after", label: "After the collar", color: PALETTE.orange, points: d.after.histogram },
          { key: "atoms", label: "Floor and cap", color: PALETTE.vermillion, points: [], atoms: d.after.atoms },
        ]}
        markers={[
          { x: d.before.figures.mean, label: `mean ${fmt.value(d.before.figures.mean)}`, color: PALETTE.ink },
          { x: d.floor, label: `floor ${fmt.value(d.floor)}`, color: PALETTE.vermillion, dash: "5 3" },
          { x: d.cap, label: `cap ${fmt.value(d.cap)}`, color: PALETTE.vermillion, dash: "5 3" },
        ]}
        xLabel={`${what} over a ${horizonWord}${fmt.unit && what === "revenue" ? ` (${fmt.unit})` : ""}`}
        formatX={fmt.tick}
        yLabel="probability per bin"
        ariaLabel={`Before: mean ${fmt.value(d.before.figures.mean)}, 5% quantile ${fmt.value(d.before.figures.q05)}. After: floor ${fmt.value(d.floor)}, cap ${fmt.value(d.cap)}.`}
      />
    </ChartFrame>
  );
}

function CoinChart({ d }: { d: CollarDto }) {
  const c = d.coin;
  const money = (x: number) => `$${formatNumber(x, 2)}`;
  return (
    <ChartFrame
      title={`The same collar on $100 of ${c.symbol}, held ${c.horizonDays} day${c.horizonDays === 1 ? "" : "s"}`}
      caption={`Floor at the same quantile level (${formatPercent(c.floorLevel, 0)}): ${money(c.floor)}; cap ${c.cap === null ? "none" : money(c.cap)}. The worst 5% case moves from ${money(c.q05Before)} to ${money(c.q05After)}.`}
      exportName={`collar-${c.symbol}`}
      data={[
        ...c.before.map((b) => ({ series: "before", x: b.x, binWidth: b.width, probability: b.p })),
        ...c.after.map((b) => ({ series: "after", x: b.x, binWidth: b.width, probability: b.p })),
        ...c.atoms.map((a) => ({ series: `after (${a.label})`, x: a.x, binWidth: 0, probability: a.p })),
      ]}
      json={c}
      kind="collar-coin"
      source={{ symbol: c.symbol, period: c.period, source: c.source }}
      legend={[
        { label: "Holding before the collar", color: PALETTE.sky, shape: "square" },
        { label: "After (between floor and cap)", color: PALETTE.orange, shape: "square" },
        { label: "Floor and cap (spikes)", color: PALETTE.vermillion, shape: "circle" },
      ]}
      footer={
        <p className="lab-source">
          {c.source}, {c.period}: returns rebuilt from the reference histogram of daily log returns (0.5% bins), resampled day by day. {c.note}
        </p>
      }
    >
      <HistogramChart
        testId="coin-collar-histogram"
        series={[
          { key: "before", label: "Holding before the collar", color: PALETTE.sky, points: c.before },
          { key: "after", label: "After the collar", color: PALETTE.orange, points: c.after },
          { key: "atoms", label: "Floor and cap", color: PALETTE.vermillion, points: [], atoms: c.atoms },
        ]}
        markers={[
          { x: c.value, label: "today $100", color: PALETTE.ink },
          { x: c.floor, label: `floor ${money(c.floor)}`, color: PALETTE.vermillion, dash: "5 3" },
          ...(c.cap !== null ? [{ x: c.cap, label: `cap ${money(c.cap)}`, color: PALETTE.vermillion, dash: "5 3" }] : []),
        ]}
        xLabel={`value after ${c.horizonDays} day${c.horizonDays === 1 ? "" : "s"} (USD, per $100 held)`}
        formatX={(v) => `$${formatNumber(v, 0)}`}
        yLabel="probability per bin"
        ariaLabel={`${c.symbol} holding: 5% quantile ${money(c.q05Before)} before, ${money(c.q05After)} after the collar`}
      />
    </ChartFrame>
  );
}
