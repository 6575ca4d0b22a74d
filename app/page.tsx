import Link from "next/link";
import { listDatasets, type DatasetListItem } from "@/lib/ingest/datasets";
import { currencyFormatter, formatCount, formatPeriod, plural } from "@/lib/format";
import { SampleBadge } from "./_components/badges";
import { DeleteDatasetButton } from "./_components/delete-dataset-button";
import { LoadSampleButton } from "./_components/load-sample-button";

export const dynamic = "force-dynamic";

export default function OverviewPage() {
  const datasets = listDatasets();
  const performance = datasets.filter((d) => d.kind !== "orders");
  const orderLists = datasets.filter((d) => d.kind === "orders");
  const hasSample = datasets.some((d) => d.isSample);

  return (
    <>
      <h1>Is it noise?</h1>
      <p className="lede">
        You spent $500 and got 2 sales; last week, 9. Is the campaign broken, or is that chance? Conversions are rare
        events, and rare events swing a lot. noisefloor works out the range of sales and revenue your spend can bring by
        chance alone, tells you per campaign and per day whether what you saw is inside that range, and shows how much
        steadier a pooled budget would be.
      </p>

      {datasets.length === 0 ? (
        <section className="panel empty-state" data-testid="empty-state">
          <h2 style={{ marginTop: 0 }}>No data yet</h2>
          <p>
            Load the sample shop (6 campaigns over 180 days, with order values) to see what noisefloor shows, or upload an
            export from Google Ads, Meta, Microsoft Advertising or a CSV in the generic template.
          </p>
          <div className="btn-row">
            <LoadSampleButton />
            <Link className="btn" href="/upload">
              Upload a report
            </Link>
          </div>
        </section>
      ) : (
        <>
          <div className="section-head">
            <h2>Your datasets</h2>
            <div className="btn-row">
              <Link className="btn primary" href="/upload">
                Upload a report
              </Link>
              {!hasSample && <LoadSampleButton label="Load the sample data" />}
            </div>
          </div>
          <div className="grid grid-2" data-testid="overview-datasets">
            {performance.map((d) => (
              <DatasetCard key={d.id} d={d} />
            ))}
          </div>
          {orderLists.length > 0 && (
            <>
              <h2>Order lists</h2>
              <p className="small muted">Order-level files give each matching campaign its order-value distribution.</p>
              <div className="grid grid-2">
                {orderLists.map((d) => (
                  <DatasetCard key={d.id} d={d} />
                ))}
              </div>
            </>
          )}
        </>
      )}

      <h2>What you can ask</h2>
      <div className="grid grid-3">
        <div className="panel">
          <h3 style={{ marginTop: 0 }}>Is this week noise?</h3>
          <p className="small">
            Each campaign gets the range 9 weeks in 10 fall into at its spend, the chance of a zero-sale day or a losing
            week, and a verdict: within noise, or better or worse than noise explains.
          </p>
        </div>
        <div className="panel">
          <h3 style={{ marginTop: 0 }}>How much would pooling help?</h3>
          <p className="small">
            Big platforms pool thousands of budgets and never see this swing. See how a pool of 20 budgets like yours
            would steady your share. <Link href="/pooling">Pooling</Link>
          </p>
        </div>
        <div className="panel">
          <h3 style={{ marginTop: 0 }}>What would a floor cost?</h3>
          <p className="small">
            Price a floor on your results the way an options collar prices a floor on a holding.{" "}
            <Link href="/collar">Collar</Link>
          </p>
        </div>
      </div>
    </>
  );
}

function DatasetCard({ d }: { d: DatasetListItem }) {
  const money = currencyFormatter(d.currency, { digits: 0 });
  const period = formatPeriod(d.periodStart && d.periodEnd ? { start: d.periodStart, end: d.periodEnd } : null);
  return (
    <article className="panel dataset-card" aria-labelledby={`ds-${d.id}`}>
      <h3 id={`ds-${d.id}`} style={{ marginTop: 0 }}>
        <Link href={`/datasets/${d.id}`}>{d.name}</Link> {d.isSample && <SampleBadge />}
      </h3>
      <dl className="kv small">
        <dt>Period</dt>
        <dd>{period}</dd>
        <dt>Campaigns</dt>
        <dd>{formatCount(d.campaigns)}</dd>
        {d.kind === "orders" ? (
          <>
            <dt>Orders</dt>
            <dd>{formatCount(d.rowsImported)}</dd>
            <dt>Order value</dt>
            <dd>{money(d.totals.revenue)}</dd>
          </>
        ) : (
          <>
            <dt>Spend</dt>
            <dd>{money(d.totals.spend)}</dd>
            <dt>Conversions</dt>
            <dd>{formatCount(d.totals.conversions)}</dd>
          </>
        )}
      </dl>
      <div className="btn-row" style={{ marginTop: 10 }}>
        <Link className="btn small" href={`/datasets/${d.id}`}>
          {d.kind === "orders" ? "Open" : `Open ${plural(d.campaigns, "campaign")}`}
        </Link>
        <DeleteDatasetButton id={d.id} name={d.name} compact />
      </div>
    </article>
  );
}
