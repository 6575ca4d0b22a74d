"use client";

import { useId, useState, type FormEvent, type ReactNode } from "react";
import type { AnalogiesDto, AnalogyPanel, CoinSeries } from "@/lib/analysis/analogies";
import { currencyFormatter, formatNumber, formatPercent, plural } from "@/lib/format";
import { ChartFrame } from "@/app/_components/chart-frame";
import { PALETTE } from "@/app/_components/palette";
import { postJson } from "@/app/_components/lab/fetch-json";
import { HistogramChart } from "@/app/_components/lab/histogram-chart";

/** Largest price file the form sends (the API refuses more). */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

function formatterFor(p: AnalogyPanel): { value: (x: number) => string; tick: (x: number) => string } {
  if (p.unit === "ms") return { value: (x) => `${formatNumber(x, x < 100 ? 1 : 0)} ms`, tick: (x) => formatNumber(x, 0) };
  if (p.unit === "return") return { value: (x) => formatPercent(x, 2), tick: (x) => formatPercent(x, 0) };
  const m0 = currencyFormatter(p.currency, { digits: 0 });
  const m2 = currencyFormatter(p.currency, { digits: 2 });
  return { value: (x) => (Math.abs(x) >= 100 ? m0(x) : m2(x)), tick: (x) => m0(x) };
}

/**
 * The change column, coloured by whether the change is for the better: "−12.3 ms (−25%)" for amounts, "+9.5 pts" for
 * returns (a difference of two percentages is in percentage points).
 */
function Change({ f, unit, value }: { f: AnalogyPanel["figures"][number]; unit: AnalogyPanel["unit"]; value: (x: number) => string }) {
  const diff = f.after - f.before;
  const rel = f.before !== 0 ? diff / Math.abs(f.before) : 0;
  const tiny = unit === "return" ? Math.abs(diff) < 5e-5 : Math.abs(rel) < 0.005;
  const good = f.better === "lower" ? diff < 0 : diff > 0;
  const sign = diff > 0 ? "+" : diff < 0 ? "−" : "±";
  const text = unit === "return" ? `${sign}${formatNumber(Math.abs(diff) * 100, 2)} pts` : `${sign}${value(Math.abs(diff))} (${sign}${formatPercent(Math.abs(rel), 0)})`;
  return <td className={`num ${tiny ? "" : good ? "better" : "worse"}`}>{tiny ? "about the same" : text}</td>;
}

function Panel({ p, footer }: { p: AnalogyPanel; footer?: ReactNode }) {
  const fmt = formatterFor(p);
  const density = p.id === "pooling";
  const refWidth = p.before.histogram[0]?.width;
  return (
    <div data-testid="analogy-panel" data-panel={p.id}>
      <ChartFrame
        title={p.title}
        caption={p.caption}
        exportName={`analogy-${p.id}`}
        data={[
          ...p.before.histogram.map((b) => ({ series: p.before.label, x: b.x, binWidth: b.width, probability: b.p })),
          ...p.after.histogram.map((b) => ({ series: p.after.label, x: b.x, binWidth: b.width, probability: b.p })),
          ...p.after.atoms.map((a) => ({ series: `${p.after.label} (${a.label})`, x: a.x, binWidth: 0, probability: a.p })),
        ]}
        json={p}
        kind={`analogy-${p.id}`}
        source={{ panel: p.id, source: p.source }}
        legend={[
          { label: p.before.label, color: PALETTE.blue, shape: "square" },
          { label: p.after.label, color: PALETTE.orange, shape: "square" },
          { label: "Mean", color: PALETTE.ink, shape: "line" },
          { label: p.tailLabel, color: PALETTE.ink, shape: "dashed" },
        ]}
        footer={
          <>
            <table className="lab-compare" data-testid="analogy-figures">
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  <th scope="col" className="num" title={p.before.label}>
                    Before
                  </th>
                  <th scope="col" className="num" title={p.after.label}>
                    After
                  </th>
                  <th scope="col" className="num">
                    Change
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.figures.map((f) => (
                  <tr key={f.label}>
                    <th scope="row" className="row-head">
                      {f.label}
                    </th>
                    <td className="num" data-value={f.before}>
                      {fmt.value(f.before)}
                    </td>
                    <td className="num" data-value={f.after}>
                      {fmt.value(f.after)}
                    </td>
                    <Change f={f} unit={p.unit} value={fmt.value} />
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="lab-source">{p.source}</p>
            {footer}
          </>
        }
      >
        <HistogramChart
          series={[
            { key: "before", label: p.before.label, color: PALETTE.blue, points: p.before.histogram },
            { key: "after", label: p.after.label, color: PALETTE.orange, points: p.after.histogram, atoms: p.after.atoms },
          ]}
          markers={[
            { x: p.before.mean, label: `mean ${fmt.value(p.before.mean)}`, color: PALETTE.blue },
            { x: p.after.mean, label: `mean ${fmt.value(p.after.mean)}`, color: PALETTE.orange },
            { x: p.before.tail, label: `${p.tailLabel} ${fmt.value(p.before.tail)}`, color: PALETTE.blue, dash: "5 3" },
            { x: p.after.tail, label: `${p.tailLabel} ${fmt.value(p.after.tail)}`, color: PALETTE.orange, dash: "5 3" },
          ]}
          xLabel={p.xLabel}
          formatX={fmt.tick}
          mode={density ? "density" : "probability"}
          refWidth={density ? refWidth : undefined}
          yLabel={density && refWidth ? `probability per ${fmt.value(refWidth)} band` : "probability per bin"}
          height={280}
          ariaLabel={p.caption}
        />
      </ChartFrame>
    </div>
  );
}

interface UploadAnswer {
  role: "coin" | "stable";
  series: CoinSeries;
  skippedRows: number;
  panel: AnalogyPanel;
}

/** The small form that puts a Yahoo price file in place of the coin or the stablecoin of panel c. */
function CoinUpload({ coins, onPanel }: { coins: AnalogiesDto["coins"]; onPanel: (a: UploadAnswer) => void }) {
  const fileId = useId();
  const roleId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [role, setRole] = useState<"coin" | "stable">("coin");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setMessage({ kind: "error", text: "Choose a price file first (Yahoo Finance daily history, CSV)." });
      return;
    }
    if (file.size > MAX_FILE_BYTES) {
      setMessage({ kind: "error", text: "The price file is larger than 5 MB." });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const csv = await file.text();
      const other = role === "coin" ? coins.stable : coins.coin;
      const answer = await postJson<UploadAnswer>("/api/analogies/coin", { csv, name: file.name, role, other });
      onPanel(answer);
      setMessage({
        kind: "ok",
        text: `${answer.series.label}: ${plural(answer.series.days, "daily price")}${answer.skippedRows > 0 ? `, ${plural(answer.skippedRows, "row")} skipped` : ""}.`,
      });
    } catch (err) {
      setMessage({ kind: "error", text: err instanceof Error ? err.message : "The file could not be read." });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="lab-upload no-print" onSubmit={(e) => void submit(e)} data-testid="coin-upload">
      <div className="field">
        <label htmlFor={fileId}>Your own price file (Yahoo Finance CSV, up to 5 MB)</label>
        <input id={fileId} type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </div>
      <div className="field">
        <label htmlFor={roleId}>Replaces</label>
        <select id={roleId} value={role} onChange={(e) => setRole(e.target.value as "coin" | "stable")}>
          <option value="coin">the coin ({coins.coin.label})</option>
          <option value="stable">the stablecoin ({coins.stable.label})</option>
        </select>
      </div>
      <button type="submit" className="btn" disabled={busy}>
        {busy ? "Reading…" : "Use this file"}
      </button>
      {message && (
        <p role={message.kind === "error" ? "alert" : "status"} className={`small ${message.kind === "error" ? "lab-error" : ""} u-full-row`}>
          {message.text}
        </p>
      )}
    </form>
  );
}

/** The four before/after panels; panel c takes an uploaded price file in place of either coin. */
export function AnalogiesView({ initial }: { initial: AnalogiesDto }) {
  const [coinsPanel, setCoinsPanel] = useState<AnalogyPanel | null>(null);
  const [coins, setCoins] = useState(initial.coins);
  const panels = initial.panels.map((p) => (p.id === "coins" && coinsPanel ? coinsPanel : p));
  return (
    <div className="lab-panels" data-testid="analogy-panels">
      {panels.map((p) => (
        <Panel
          key={p.id}
          p={p}
          footer={
            p.id === "coins" ? (
              <CoinUpload
                coins={coins}
                onPanel={(a) => {
                  setCoins((c) => (a.role === "coin" ? { ...c, coin: a.series } : { ...c, stable: a.series }));
                  setCoinsPanel(a.panel);
                }}
              />
            ) : undefined
          }
        />
      ))}
    </div>
  );
}
