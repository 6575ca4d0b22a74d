import type { ChangeMarker } from "@/lib/analysis/changes";
import type { CompareResult } from "@/lib/analysis/compare";
import { compareQuerySchema } from "@/lib/analysis/schemas";
import { isAppError } from "@/lib/errors";
import { formatCount, formatDate, formatPercent, formatSig, plural } from "@/lib/format";
import { runTask } from "@/lib/jobs/pool";
import { ChangeDateForm } from "./change-date-form";
import { SaveChangeForm, SavedChanges } from "./saved-changes";

/** A relative lift for a sentence: "+12.3%", "-4.0%". */
/** A lift as a signed percent, or as a multiple from ten times up ("×1,490" rather than "+148,900%"). */
const lift = (x: number) => (x >= 9 ? `×${formatSig(1 + x, 3)}` : `${x >= 0 ? "+" : "−"}${formatPercent(Math.abs(x))}`);
const prob = (p: number) => (p > 0.999 ? "over 99.9%" : p < 0.001 ? "under 0.1%" : formatPercent(p));
/** "a 10% lift shows after 31 days" or "a 10% lift cannot be told apart at these clicks". */
const shows = (pct: number, d: number | null) =>
  d === null ? `a ${pct}% lift cannot be told apart at these clicks` : `a ${pct}% lift shows after ${plural(d, "day")} from the change`;

/** What DidItWork is given: the campaign, the date in the URL, the dataset's period, the lag query, the saved changes. */
interface DidItWorkProps {
  datasetId: number;
  campaign: string;
  change: string | null;
  period: { start: string; end: string } | null;
  /**
   * The page's conversion-lag setting, as-of date and source filter (?lag=&asOf=&source=), so the answer reads young
   * days as the chart does, and the rows of the platform the page shows.
   */
  lag: { lag?: string | undefined; asOf?: string | undefined; source?: string | undefined };
  /** The campaign's saved change markers, as the server read them. */
  changes: ChangeMarker[];
}

/**
 * "Did it work?" on the campaign page: the campaign before and after the change date in the URL (?change=), from
 * GET /api/datasets/:id/compare's service; "Save this change" keeps the date with a note, and the saved changes are
 * listed. Server component; the date input, the save form and the list are its client leaves.
 */
export async function DidItWork({ datasetId, campaign, change, period, lag: lagQuery, changes }: DidItWorkProps) {
  let answer: { result: CompareResult } | { message: string } | null = null;
  let validDate = false;
  if (change !== null) {
    const q = compareQuerySchema.safeParse({ campaign, changeDate: change, ...lagQuery });
    validDate = compareQuerySchema.shape.changeDate.safeParse(change).success;
    if (!q.success) answer = { message: `"${change.slice(0, 20)}" is not a date (use YYYY-MM-DD).` };
    else {
      try {
        answer = { result: await runTask("compare", { datasetId, q: q.data }) };
      } catch (e) {
        if (!isAppError(e)) throw e;
        answer = { message: e.message };
      }
    }
  }
  return (
    <section className="panel u-mt-16" id="did-it-work" aria-labelledby="did-it-work-heading" data-testid="did-it-work">
      <h2 id="did-it-work-heading" style={{ marginTop: 0 }}>
        Did it work?
      </h2>
      <p className="small muted">
        Changed the ads, the bids or the landing page? Give the day the change took effect: the days before it are
        compared with the days from it on, and the answer says whether the difference is more than noise.
      </p>
      <ChangeDateForm key={change ?? ""} initial={change} min={period?.start ?? null} max={period?.end ?? null} />
      {answer && "message" in answer && (
        <p className="alert warn" role="status">
          {answer.message}
        </p>
      )}
      {validDate && change !== null && <SaveChangeForm key={change} datasetId={datasetId} campaign={campaign} date={change} />}
      {answer && "result" in answer && <Answer r={answer.result} />}
      <SavedChanges datasetId={datasetId} campaign={campaign} initial={changes} current={validDate ? change : null} />
    </section>
  );
}

function Answer({ r }: { r: CompareResult }) {
  const e = r.expectedAfter;
  return (
    <div data-testid="did-it-work-answer">
      <p className="small muted">The change took effect on {formatDate(r.changeDate)}: “after” is that day and later.</p>
      <div className="table-wrap">
        <table className="table small compare-table">
          <thead>
            <tr>
              <th />
              <th>Days</th>
              <th>Clicks</th>
              <th>Sales</th>
              <th>Per click</th>
            </tr>
          </thead>
          <tbody>
            {(["before", "after"] as const).map((k) => (
              <tr key={k}>
                <th scope="row">{k === "before" ? "Before" : "After"}</th>
                <td>{formatCount(r[k].days)}</td>
                <td>{formatCount(r[k].clicks)}</td>
                <td>{formatCount(r[k].conversions)}</td>
                <td>{r[k].rate === null ? "–" : formatPercent(r[k].rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {r.lift && r.pPositive !== null && r.liftSaturated && (
        <p className="sentence" data-testid="did-it-work-lift">
          Conversion rate after the change: <strong>cannot be told from the drift before it</strong>. The rate was moving so fast before
          the change that where it would be {plural(r.after.days, "day")} on is anyone&apos;s guess (90% between {lift(r.lift.lo90)} and{" "}
          {lift(r.lift.hi90)}): the per-click figures above are what was seen, not what the change did.
        </p>
      )}
      {r.lift && r.pPositive !== null && !r.liftSaturated && (
        <p className="sentence" data-testid="did-it-work-lift">
          Conversion rate after the change: <strong>{lift(r.lift.median)}</strong> (90% between {lift(r.lift.lo90)} and {lift(r.lift.hi90)}).
          The chance that it really rose is <strong>{prob(r.pPositive)}</strong>.
        </p>
      )}
      {r.lag.provisionalDays > 0 && (
        <p className="sentence" data-testid="did-it-work-lag">
          {r.lag.provisionalDays === r.after.days ? `All ${plural(r.after.days, "day")} since the change are` : `The last ${plural(r.lag.provisionalDays, "day")} of ${r.after.days} since the change are`}{" "}
          provisional: about {formatPercent(r.lag.afterCompleteness, 0)} of their sales have arrived, so the rates above are per click whose sales have
          had time to arrive ({formatCount(Math.round(r.after.effectiveClicks))} of {formatCount(r.after.clicks)}), and the missing sales do not count as a drop.
        </p>
      )}
      {e && (
        <p className="sentence">
          Had nothing changed, the after period&apos;s {formatCount(r.after.clicks)} clicks would have brought about {formatCount(Math.round(e.mean))} conversions{r.lag.provisionalDays > 0 ? " by now" : ""}{" "}
          (90% between {formatCount(e.lo90)} and {formatCount(e.hi90)}, allowing for how the rate was drifting); they brought {formatCount(e.observed)}
          {e.observed > e.hi90 ? ": more than noise explains." : e.observed < e.lo90 ? ": fewer than noise explains." : ": inside what noise explains."}
        </p>
      )}
      <p className="sentence">
        How long to wait: with 80% probability (the chance it rose reaching 95%), {shows(10, r.daysToDetect.lift10)}, and{" "}
        {shows(20, r.daysToDetect.lift20)}, at {formatCount(Math.round(r.daysToDetect.clicksPerDay))} clicks a day ({plural(r.daysToDetect.afterDays, "day")} so far).
      </p>
      {r.revenue && (
        <p className="sentence">
          Revenue per click: {lift(r.revenue.lift.median)} (90% between {lift(r.revenue.lift.lo90)} and {lift(r.revenue.lift.hi90)}); the chance it rose is{" "}
          {prob(r.revenue.pPositive)}.
        </p>
      )}
      {r.notes.length > 0 && (
        <ul className="notes small">
          {r.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
