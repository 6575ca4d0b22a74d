"use client";

import Link from "next/link";
import { Fragment, useMemo, useState, type ReactNode } from "react";
import type { CampaignAnalysis, CampaignTableData } from "@/lib/analysis/types";
import { campaignRecords, hasRevenue } from "@/lib/export/report";
import { currencyFormatter, formatCount, formatPercent, formatProbability, formatPercentRange, formatRange, formatSig, plural, sourceLabel } from "@/lib/format";
import { campaignHref } from "@/app/_components/analysis-query";
import { VerdictBadge } from "@/app/_components/badges";
import { ExportButtons } from "@/app/_components/export-buttons";

type Dir = "ascending" | "descending";
type Align = "left" | "right";

interface Column {
  key: string;
  label: string;
  /** Second header line (units, what the range is). */
  sub?: string;
  align: Align;
  /** Sort key; null (a figure that cannot be computed) sorts last in either direction. */
  sort: (c: CampaignAnalysis) => number | string | null;
  cell: (c: CampaignAnalysis) => ReactNode;
}

const VERDICT_ORDER: Record<CampaignAnalysis["verdict"]["label"], number> = { worse: 0, "poor-fit": 1, within: 2, better: 3 };

function Range({ main, range }: { main: string; range: string }) {
  return (
    <>
      {main}
      <div className="cell-sub">{range}</div>
    </>
  );
}

/**
 * Every campaign of a dataset: totals, conversion rates with their 90% intervals (raw and shrunk), the forecast over
 * the horizon, risk figures, calibration and the verdict. Sortable by any column (keyboard: Tab to a header button,
 * Enter/Space to sort; aria-sort says the order); each verdict opens a row with its sentence.
 */
export function CampaignTable({ analysis, budget }: { analysis: CampaignTableData; budget: number | undefined }) {
  const a = analysis;
  const money = useMemo(() => currencyFormatter(a.currency), [a.currency]);
  const money0 = useMemo(() => currencyFormatter(a.currency, { digits: 0 }), [a.currency]);
  const h = a.horizon;
  const [sort, setSort] = useState<{ key: string; dir: Dir } | null>(null);
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const unitWord = a.unit === "ad" ? "ads" : "days";
  // which sources each campaign has, shown when the dataset has more than one
  const manySources = a.sources.length > 1;

  const columns: Column[] = useMemo(
    () => [
      {
        key: "campaign",
        label: "Campaign",
        align: "left",
        sort: (c) => c.campaign.toLowerCase(),
        cell: (c) => (
          <>
            <Link href={campaignHref(a.datasetId, c.campaign, { horizon: h, budget, source: a.source ?? undefined })} className="campaign-link">
              {c.campaign}
            </Link>
            {manySources && <CampaignSources sources={c.sources} />}
          </>
        ),
      },
      { key: "units", label: a.unit === "ad" ? "Ads" : "Days", align: "right", sort: (c) => c.units, cell: (c) => formatCount(c.units) },
      { key: "spend", label: "Spend", align: "right", sort: (c) => c.spend, cell: (c) => money(c.spend) },
      { key: "clicks", label: "Clicks", align: "right", sort: (c) => c.clicks, cell: (c) => formatCount(c.clicks) },
      { key: "conversions", label: "Conversions", align: "right", sort: (c) => c.conversions, cell: (c) => formatCount(c.conversions) },
      {
        key: "cvr",
        label: "Conv. rate",
        sub: "per click, 90% interval",
        align: "right",
        sort: (c) => c.cvr.observed ?? -1,
        cell: (c) => <Range main={c.cvr.observed === null ? "no clicks" : formatPercent(c.cvr.observed)} range={formatPercentRange(c.cvr.lo90, c.cvr.hi90)} />,
      },
      {
        key: "cvrShrunk",
        label: "Conv. rate, shrunk",
        sub: "toward the dataset",
        align: "right",
        sort: (c) => c.cvrShrunk.mean,
        cell: (c) => (
          <Range main={formatPercent(c.cvrShrunk.mean)} range={formatPercentRange(c.cvrShrunk.lo90, c.cvrShrunk.hi90)} />
        ),
      },
      {
        key: "expConv",
        label: `Conversions per ${h}`,
        sub: "expected, 5–95%",
        align: "right",
        sort: (c) => c.forecast.conversions.mean,
        cell: (c) => (
          <Range
            main={formatSig(c.forecast.conversions.mean)}
            range={formatRange(c.forecast.conversions.q05, c.forecast.conversions.q95, (x) => formatCount(x))}
          />
        ),
      },
      {
        key: "expRev",
        label: `Revenue per ${h}`,
        sub: "expected, 5–95%",
        align: "right",
        sort: (c) => (hasRevenue(c) ? c.forecast.revenue.mean : null),
        cell: (c) =>
          hasRevenue(c) ? (
            <Range main={money0(c.forecast.revenue.mean)} range={formatRange(c.forecast.revenue.q05, c.forecast.revenue.q95, money0)} />
          ) : (
            <span className="muted">no revenue</span>
          ),
      },
      {
        key: "budget",
        label: `Budget per ${h}`,
        sub: budget === undefined ? "current spend" : "as entered",
        align: "right",
        sort: (c) => c.forecast.budget,
        cell: (c) => money0(c.forecast.budget),
      },
      {
        key: "cv",
        label: "CV",
        sub: `swing per ${h}`,
        align: "right",
        sort: (c) => c.forecast.cv,
        cell: (c) => formatPercent(c.forecast.cv, 0),
      },
      {
        key: "pZeroDay",
        label: a.unit === "ad" ? "Zero-sale ad" : "Zero-sale day",
        sub: "chance",
        align: "right",
        sort: (c) => c.forecast.pZeroDay,
        cell: (c) => formatProbability(c.forecast.pZeroDay),
      },
      {
        key: "pLosingWeek",
        label: "Losing week",
        sub: "revenue < spend",
        align: "right",
        sort: (c) => c.forecast.pLosingWeek,
        cell: (c) => (c.forecast.pLosingWeek === null ? <span className="muted" title="The file has no revenue.">no revenue</span> : formatProbability(c.forecast.pLosingWeek)),
      },
      {
        key: "calibration",
        label: "Calibration",
        sub: `90% band coverage`,
        align: "right",
        sort: (c) => c.calibration.coverage90,
        cell: (c) =>
          c.calibration.coverage90 !== null && c.calibration.days > 0 ? (
            <span title={`The 90% band, forecast one ${a.unit === "ad" ? "ad" : "day"} ahead, covered ${formatPercent(c.calibration.coverage90, 0)} of ${c.calibration.days} ${unitWord}.`}>
              {formatPercent(c.calibration.coverage90, 0)}
              <div className="cell-sub">of {formatCount(c.calibration.days)} {unitWord}</div>
            </span>
          ) : (
            <span className="muted">{a.unit === "ad" ? "no dates" : `too few ${unitWord}`}</span>
          ),
      },
    ],
    [a.datasetId, a.unit, a.source, h, budget, money, money0, unitWord, manySources],
  );

  const rows = useMemo(() => {
    const list = [...a.campaigns];
    if (!sort) return list;
    const col = sort.key === "verdict" ? null : columns.find((c) => c.key === sort.key);
    const key = (c: CampaignAnalysis): number | string | null => (col ? col.sort(c) : VERDICT_ORDER[c.verdict.label]);
    const sign = sort.dir === "ascending" ? 1 : -1;
    const missing = (k: number | string | null) => k === null || (typeof k === "number" && !Number.isFinite(k));
    return list.sort((x, y) => {
      const kx = key(x);
      const ky = key(y);
      // Missing figures sort last whatever the direction.
      if (missing(kx) || missing(ky)) return missing(kx) ? (missing(ky) ? 0 : 1) : -1;
      if (typeof kx === "number" && typeof ky === "number") return sign * (kx - ky);
      return sign * String(kx).localeCompare(String(ky));
    });
  }, [a.campaigns, sort, columns]);

  const toggleSort = (key: string) =>
    setSort((s) =>
      s?.key === key ? { key, dir: s.dir === "ascending" ? "descending" : "ascending" } : { key, dir: key === "campaign" ? "ascending" : "descending" },
    );
  const toggleOpen = (name: string) =>
    setOpen((o) => {
      const n = new Set(o);
      if (n.has(name)) n.delete(name);
      else n.add(name);
      return n;
    });

  const header = (key: string, label: string, sub: string | undefined, align: Align) => {
    const active = sort?.key === key;
    return (
      <th key={key} scope="col" className={align === "right" ? "num" : undefined} aria-sort={active ? sort.dir : "none"}>
        <button type="button" className="sort" onClick={() => toggleSort(key)}>
          <span>
            {label}
            {sub && <span className="th-sub">{sub}</span>}
          </span>
          <span aria-hidden="true" className="sort-icon">
            {active ? (sort.dir === "ascending" ? "▲" : "▼") : "↕"}
          </span>
        </button>
      </th>
    );
  };

  const colCount = columns.length + 1;
  return (
    <div>
      <div className="section-head">
        <h2 id="campaigns-heading">Campaigns</h2>
        <ExportButtons
          label={`Campaigns, ${h} horizon`}
          exportName={`${a.name}-campaigns-${h}`}
          records={campaignRecords(a)}
          json={{ horizon: a.horizon, horizonDays: a.horizonDays, unit: a.unit, currency: a.currency, campaigns: a.campaigns }}
          kind="campaign-table"
          source={{ datasetId: a.datasetId, dataset: a.name, horizon: h, budget: budget ?? null }}
        />
      </div>
      <p className="small muted">
        Select a column header to sort. Ranges are the 5% and 95% quantiles: 9 {h}s in 10 land inside them at this budget.
        CV is the standard deviation ÷ the mean of revenue over a {h} (of conversions when the file has no revenue).
        {a.unit === "ad" && " This file has no dates: counts are across ads, and “per day” figures mean per ad."}
      </p>
      <div className="table-wrap campaign-table-wrap">
        <table data-testid="campaign-table" aria-labelledby="campaigns-heading" className="sticky-first">
          <thead>
            <tr>
              {columns.slice(0, 1).map((c) => header(c.key, c.label, c.sub, c.align))}
              {header("verdict", "Verdict", "is it noise?", "left")}
              {columns.slice(1).map((c) => header(c.key, c.label, c.sub, c.align))}
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => {
              const isOpen = open.has(c.campaign);
              const detailId = `verdict-${a.datasetId}-${encodeURIComponent(c.campaign)}`;
              return (
                <Fragment key={c.campaign}>
                  <tr>
                    {columns.slice(0, 1).map((col) => (
                      <td key={col.key} data-col={col.key}>
                        {col.cell(c)}
                      </td>
                    ))}
                    <td data-col="verdict">
                      <div className="verdict-cell">
                        <VerdictBadge verdict={c.verdict} />
                        <button
                          type="button"
                          className="link-button small"
                          aria-expanded={isOpen}
                          aria-controls={detailId}
                          onClick={() => toggleOpen(c.campaign)}
                        >
                          {isOpen ? "hide" : "why?"}
                          <span className="sr-only"> ({c.campaign})</span>
                        </button>
                      </div>
                    </td>
                    {columns.slice(1).map((col) => (
                      <td key={col.key} data-col={col.key} className={col.align === "right" ? "num" : undefined}>
                        {col.cell(c)}
                      </td>
                    ))}
                  </tr>
                  <tr id={detailId} className="detail-row" hidden={!isOpen}>
                    <td colSpan={colCount}>
                      <p className="sentence">{c.verdict.text}</p>
                      <p className="small muted">
                        Observed {formatCount(c.verdict.observed)} against an expected {formatSig(c.verdict.expected)} (90% band{" "}
                        {formatRange(c.verdict.lo90, c.verdict.hi90, (x) => formatCount(x))}) over {formatCount(c.verdict.window)}{" "}
                        {unitWord}
                        {c.verdict.pValue === null
                          ? "; no chance from noise is given, since the model does not fit this campaign."
                          : `; chance of a gap at least this large from noise alone: ${formatProbability(c.verdict.pValue)}.`}
                        {c.notes.length > 0 && ` ${c.notes.join(" ")}`}
                      </p>
                    </td>
                  </tr>
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      <CampaignCards
        rows={rows}
        datasetId={a.datasetId}
        horizon={h}
        budget={budget}
        source={a.source ?? undefined}
        manySources={manySources}
        unit={a.unit}
        money={money}
        money0={money0}
      />
    </div>
  );
}

/**
 * The same campaigns as cards, for narrow screens (the stylesheet shows these instead of the table below 700 px):
 * the verdict and its sentence first, then the few figures that answer "is it noise?" and "what can I expect?".
 */
function CampaignCards(props: {
  rows: readonly CampaignAnalysis[];
  datasetId: number;
  horizon: CampaignTableData["horizon"];
  budget: number | undefined;
  source: string | undefined;
  manySources: boolean;
  unit: CampaignTableData["unit"];
  money: (n: number | null | undefined) => string;
  money0: (n: number | null | undefined) => string;
}) {
  const { horizon: h, money, money0 } = props;
  return (
    <ul className="campaign-cards" data-testid="campaign-cards" aria-label="Campaigns">
      {props.rows.map((c) => (
        <li key={c.campaign} className="campaign-card">
          <h3>
            <Link href={campaignHref(props.datasetId, c.campaign, { horizon: h, budget: props.budget, source: props.source })} className="campaign-link">
              {c.campaign}
            </Link>
          </h3>
          {props.manySources && <CampaignSources sources={c.sources} />}
          <p className="verdict-line">
            <VerdictBadge verdict={c.verdict} withTitle={false} />
          </p>
          <p className="small">{c.verdict.text}</p>
          <dl className="card-figures">
            <div>
              <dt>Spent</dt>
              <dd>{money(c.spend)}</dd>
            </div>
            <div>
              <dt>Conversions</dt>
              <dd>
                {formatCount(c.conversions)} <span className="cell-sub">over {plural(c.units, props.unit === "ad" ? "ad" : "day")}</span>
              </dd>
            </div>
            <div>
              <dt>Conversions per {h}</dt>
              <dd>
                {formatSig(c.forecast.conversions.mean)}{" "}
                <span className="cell-sub">
                  9 in 10: {formatRange(c.forecast.conversions.q05, c.forecast.conversions.q95, (x) => formatCount(x))}
                </span>
              </dd>
            </div>
            <div>
              <dt>Revenue per {h}</dt>
              <dd>
                {hasRevenue(c) ? (
                  <>
                    {money0(c.forecast.revenue.mean)}{" "}
                    <span className="cell-sub">9 in 10: {formatRange(c.forecast.revenue.q05, c.forecast.revenue.q95, money0)}</span>
                  </>
                ) : (
                  <span className="muted">no revenue in the file</span>
                )}
              </dd>
            </div>
            <div>
              <dt>{props.unit === "ad" ? "Chance of a zero-sale ad" : "Chance of a zero-sale day"}</dt>
              <dd>{formatProbability(c.forecast.pZeroDay)}</dd>
            </div>
            <div>
              <dt>Chance of a losing week</dt>
              <dd>{c.forecast.pLosingWeek === null ? <span className="muted">no revenue</span> : formatProbability(c.forecast.pLosingWeek)}</dd>
            </div>
          </dl>
        </li>
      ))}
    </ul>
  );
}

/** The sources a campaign has rows of ("Google Ads · Meta"), under its name when the dataset has several. */
function CampaignSources({ sources }: { sources: readonly string[] }) {
  return (
    <span className="cell-sub campaign-sources" data-testid="campaign-sources">
      {sources.map(sourceLabel).join(" · ")}
    </span>
  );
}
