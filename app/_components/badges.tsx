import type { Verdict } from "@/lib/analysis/types";

/** Short label of a verdict. */
const VERDICT_LABELS: Record<Verdict["label"], string> = {
  within: "within noise",
  better: "better than noise explains",
  worse: "worse than noise explains",
  "poor-fit": "model does not fit",
};

/** The verdict as a badge; the full sentence is its title (and should also be shown in text nearby). */
export function VerdictBadge({ verdict, withTitle = true }: { verdict: Pick<Verdict, "label" | "text">; withTitle?: boolean }) {
  const icon = verdict.label === "better" ? "▲" : verdict.label === "worse" ? "▼" : verdict.label === "poor-fit" ? "?" : "●";
  return (
    <span className={`badge ${verdict.label}`} title={withTitle ? verdict.text : undefined}>
      <span aria-hidden="true">{icon} </span>
      {VERDICT_LABELS[verdict.label]}
    </span>
  );
}

export function SampleBadge() {
  return (
    <span className="badge sample" title="Bundled sample data; you can delete it.">
      sample
    </span>
  );
}
