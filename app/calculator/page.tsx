import type { Metadata } from "next";
import type { ModelHistogramDto } from "@/lib/analysis/pooling-calculator";
import { modelSpecSchema, type ModelResponse } from "@/lib/engine/contract";
import { isAppError } from "@/lib/errors";
import { runTask } from "@/lib/jobs/pool";
import { decodeState, first } from "@/app/_components/lab/url-state";
import { Calculator } from "./calculator";
import { DEFAULT_CALC_FORM, formToRequest, requestToForm } from "./calc-form";
import "@/app/_components/lab/lab.css";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Calculator" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function CalculatorPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const raw = first(sp.spec);
  const decoded = decodeState(raw);
  const warning = raw && decoded === null ? "The link's model could not be read; showing the default model instead." : null;
  const form = decoded ? requestToForm(decoded) : DEFAULT_CALC_FORM;
  const request = formToRequest(form);
  let initial: { figures: ModelResponse; dist: ModelHistogramDto } | null = null;
  const parsed = modelSpecSchema.safeParse(JSON.parse(JSON.stringify(request)));
  if (parsed.success) {
    try {
      initial = await runTask("modelWithHistogram", parsed.data);
    } catch (e) {
      if (!isAppError(e)) throw e;
    }
  }
  return (
    <>
      <header className="page-head">
        <h1>Calculator</h1>
        <p className="lede">
          Describe a conversion count and an order value, and get the exact distribution of the total with its risk
          figures: the same model the dashboard uses, and the one behind <code>POST /api/model</code>. The link in your
          address bar always holds the whole model, so a result can be shared.
        </p>
      </header>
      {warning && <p className="alert warn">{warning}</p>}
      <Calculator initialForm={form} initial={initial ? { key: JSON.stringify(request), ...initial } : null} />
    </>
  );
}
