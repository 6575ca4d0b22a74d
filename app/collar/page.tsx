import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { collarQuerySchema, type CollarDto } from "@/lib/analysis/collar";
import { HORIZON_DAYS } from "@/lib/analysis/schemas";
import { labDatasets } from "@/lib/analysis/pooling-source";
import { isAppError } from "@/lib/errors";
import { runTask } from "@/lib/server/pool";
import { formToModel } from "@/app/_components/lab/model-form";
import { first } from "@/app/_components/lab/url-state";
import { readSourceState, type SearchParams } from "@/app/_components/lab/source-state";
import { CollarDesk, type CollarInitialState } from "./collar-desk";
import "@/app/_components/lab/lab.css";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Collar desk" };

const amount = (v: string | undefined): number | null => {
  const n = v === undefined || v.trim() === "" ? Number.NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : null;
};

function readState(sp: SearchParams, datasets: ReadonlyArray<{ id: number; isSample: boolean }>): CollarInitialState {
  const zc = first(sp.zeroCost);
  return {
    ...readSourceState(sp, datasets),
    outcome: first(sp.outcome) === "conversions" ? "conversions" : "revenue",
    floor: amount(first(sp.floor)),
    cap: amount(first(sp.cap)),
    zeroCost: !(zc === "0" || zc === "false"),
    coin: first(sp.coin) === "ETH" ? "ETH" : "BTC",
  };
}

export default async function CollarPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const db = getDb();
  const datasets = labDatasets(db);
  const state = readState(sp, datasets);
  let initial: CollarDto | null = null;
  let message: string | null = null;
  try {
    const controls = { floor: state.floor ?? undefined, cap: state.cap ?? undefined, zeroCost: state.zeroCost, coin: state.coin };
    if (state.mode === "campaign" && state.datasetId !== null) {
      const q = collarQuerySchema.parse({
        datasetId: state.datasetId,
        campaign: state.campaign ?? undefined,
        horizon: state.horizon,
        outcome: state.outcome,
        ...controls,
      });
      initial = await runTask("collarForCampaign", q);
    } else {
      initial = await runTask("collarForModel", { ...formToModel(state.model), horizonDays: HORIZON_DAYS[state.horizon], ...controls });
    }
  } catch (e) {
    if (!isAppError(e)) throw e;
    message = e.message;
  }
  return (
    <>
      <header className="page-head">
        <h1>Collar desk</h1>
        <p className="lede">
          A collar puts a floor under an outcome and pays for it with a cap on the upside: you keep min(max(S, floor),
          cap). Priced at expected values, a zero-cost collar leaves the average where it was and trades the best
          weeks for protection against the worst. Beside it, the same collar on a coin holding over the same horizon.
        </p>
      </header>
      <CollarDesk
        datasets={datasets.map((d) => ({ id: d.id, name: d.name, isSample: d.isSample }))}
        initialState={state}
        initial={initial}
        initialMessage={message}
      />
    </>
  );
}
