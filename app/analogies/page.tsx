import type { Metadata } from "next";
import { runTask } from "@/lib/jobs/pool";
import { AnalogiesView } from "./analogies-view";
import "@/app/_components/lab/lab.css";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Analogies" };

export default async function AnalogiesPage() {
  const dto = await runTask("analogies", undefined);
  return (
    <>
      <header className="page-head">
        <h1>The same trade in four worlds</h1>
        <p className="lede">
          A load balancer, a pool of budgets, a stablecoin and a collar all do one thing: they give up a little on
          average, or nothing, to make the bad tail much less bad. Each panel shows the distribution before (blue) and
          after (orange), with the mean (solid line) and a tail figure (dashed line).
        </p>
      </header>
      {dto.notes.map((n) => (
        <p key={n} className="alert warn">
          {n}
        </p>
      ))}
      <AnalogiesView initial={dto} />
    </>
  );
}
