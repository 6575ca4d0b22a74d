import Link from "next/link";
import type { SourceSummary } from "@/lib/analysis/types";
import { currencyFormatter, formatCount, formatPercent, sourceLabel } from "@/lib/format";
import { analysisSearch } from "@/app/_components/analysis-query";
import type { AnalysisQuery } from "@/lib/analysis/schemas";

/*
 * A dataset with rows of several platforms: a switch to see all of them or one alone (links with ?source=, so the
 * server page renders the filtered figures and the address can be shared), and the figures per source.
 */

/** All / Google Ads / Meta ...: links keeping the horizon, budget and lag; shown only for more than one source. */
export function SourceSwitch({ sources, query, basePath }: { sources: readonly string[]; query: AnalysisQuery; basePath: string }) {
  if (sources.length < 2) return null;
  const current = query.source?.toLowerCase();
  const isOn = (s: string | undefined) =>
    s === undefined ? current === undefined : current === s || current === sourceLabel(s).toLowerCase();
  const choices: { key: string | undefined; label: string }[] = [{ key: undefined, label: "All sources" }, ...sources.map((s) => ({ key: s, label: sourceLabel(s) }))];
  return (
    <nav className="source-switch no-print" aria-label="Source" data-testid="source-switch">
      <span className="source-switch-label">Source</span>
      <ul>
        {choices.map((c) => (
          <li key={c.key ?? "all"}>
            <Link
              href={`${basePath}${analysisSearch({ ...query, source: c.key })}`}
              className={isOn(c.key) ? "on" : undefined}
              aria-current={isOn(c.key) ? "page" : undefined}
              scroll={false}
            >
              {c.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Clicks, conversions, conversion rate, spend, revenue, campaigns and days per source, in the dataset's currency. */
export function BySourceTable({ sources, currency, selected }: { sources: readonly SourceSummary[]; currency: string | null; selected: string | null }) {
  if (sources.length < 2) return null;
  const money = currencyFormatter(currency);
  return (
    <section className="by-source" aria-labelledby="by-source-title" data-testid="by-source">
      <h3 id="by-source-title">By source</h3>
      <p className="small muted">
        Each platform&apos;s rows alone. A campaign of the same name in two sources is one campaign in the figures for all
        sources (its days add up both); choose a source above to see each alone.
        {currency ? ` Amounts in ${currency}.` : " Amounts as plain numbers (no currency stated)."}
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col" className="num">Clicks</th>
              <th scope="col" className="num">Conversions</th>
              <th scope="col" className="num">Conv. rate</th>
              <th scope="col" className="num">Spend{currency ? ` (${currency})` : ""}</th>
              <th scope="col" className="num">Revenue{currency ? ` (${currency})` : ""}</th>
              <th scope="col" className="num">Campaigns</th>
              <th scope="col" className="num">Days</th>
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr key={s.source} className={selected === s.source ? "selected" : undefined} aria-current={selected === s.source ? "true" : undefined}>
                <th scope="row">{s.label}</th>
                <td className="num">{formatCount(s.clicks)}</td>
                <td className="num">{formatCount(s.conversions)}</td>
                <td className="num">{s.conversionRate === null ? "–" : formatPercent(s.conversionRate)}</td>
                <td className="num">{money(s.spend)}</td>
                <td className="num">{s.revenue === null ? <span className="muted">not in the file</span> : money(s.revenue)}</td>
                <td className="num">{formatCount(s.campaigns)}</td>
                <td className="num">{formatCount(s.days)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
