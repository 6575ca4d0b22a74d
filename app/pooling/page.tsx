import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { poolingQuerySchema, type PoolingDto } from "@/lib/analysis/pooling";
import { labDatasets } from "@/lib/analysis/pooling-source";
import { isAppError } from "@/lib/errors";
import { runTask } from "@/lib/server/pool";
import { first } from "@/app/_components/lab/url-state";
import { readSourceState, type SearchParams } from "@/app/_components/lab/source-state";
import { formToModel } from "@/app/_components/lab/model-form";
import { PoolingLab, type PoolingInitialState } from "./pooling-lab";
import "@/app/_components/lab/lab.css";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Pooling lab" };

const numberOr = (v: string | undefined, fallback: number, lo: number, hi: number): number => {
  const n = v === undefined || v.trim() === "" ? Number.NaN : Number(v);
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : fallback;
};

/** The lab's state from the link (?dataset=&campaign=&horizon=&k=&rho=&fee=&target=, or ?mode=model&model=...). */
function readState(sp: SearchParams, datasets: ReadonlyArray<{ id: number; isSample: boolean }>): PoolingInitialState {
  const rho = first(sp.rho);
  return {
    ...readSourceState(sp, datasets),
    k: Math.round(numberOr(first(sp.k), 20, 1, 1000)),
    rho: rho === undefined || rho.trim() === "" ? null : numberOr(rho, 0, 0, 0.95),
    fee: numberOr(first(sp.fee), 0, 0, 50),
    target: numberOr(first(sp.target), 10, 1, 100),
  };
}

export default async function PoolingPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const db = getDb();
  const datasets = labDatasets(db);
  const state = readState(sp, datasets);
  let initial: PoolingDto | null = null;
  let message: string | null = null;
  try {
    if (state.mode === "campaign" && state.datasetId !== null) {
      const q = poolingQuerySchema.parse({
        datasetId: state.datasetId,
        campaign: state.campaign ?? undefined,
        horizon: state.horizon,
        k: state.k,
        rho: state.rho ?? undefined,
        fee: state.fee,
        target: state.target,
      });
      initial = await runTask("poolingForCampaign", q);
    } else {
      const m = formToModel(state.model);
      initial = await runTask("poolingForModel", { ...m, k: state.k, rho: state.rho ?? 0, fee: state.fee, target: state.target });
    }
  } catch (e) {
    if (!isAppError(e)) throw e;
    message = e.message;
  }

  return (
    <>
      <header className="page-head">
        <h1>Pooling lab</h1>
        <p className="lede">
          One budget lives with every lucky and unlucky week. Pool it with others like it and each budget&apos;s share
          swings less: the coefficient of variation (CV, the typical swing as a share of the mean) falls like 1/√k, down
          to a floor set by how much the budgets move together (rho). Move the sliders to see by how much.
        </p>
      </header>
      <PoolingLab
        datasets={datasets.map((d) => ({ id: d.id, name: d.name, isSample: d.isSample }))}
        initialState={state}
        initial={initial}
        initialMessage={message}
      />
    </>
  );
}
