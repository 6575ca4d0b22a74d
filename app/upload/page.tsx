import type { Metadata } from "next";
import { env } from "@/lib/env";
import { parseDatasetId } from "@/lib/id";
import { getDataset } from "@/lib/ingest/datasets";
import { UploadFlow } from "./upload-flow";

export const metadata: Metadata = { title: "Upload" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** `?into=<datasetId>`: the file is added to that dataset (a newer export of the same account). */
async function intoDataset(searchParams: Props["searchParams"]): Promise<{ id: number; name: string } | { missing: true } | undefined> {
  const raw = (await searchParams).into;
  if (raw === undefined) return undefined;
  const id = parseDatasetId(typeof raw === "string" ? raw : undefined);
  const ds = id === null ? undefined : getDataset(id);
  if (!ds || ds.kind === "orders") return { missing: true };
  return { id: ds.id, name: ds.name };
}

export default async function UploadPage({ searchParams }: Props) {
  const into = await intoDataset(searchParams);
  const target = into && "id" in into ? into : undefined;
  return (
    <>
      <h1>{target ? `Add a newer export to ${target.name}` : "Upload a report"}</h1>
      {into && "missing" in into && (
        <p className="alert warn" role="status">
          The dataset to add to was not found (or is an order list, which does not grow): this upload makes a new dataset.
        </p>
      )}
      {target ? (
        <p className="lede">
          Drop the newest export of the same account, or an export of another platform. Rows for the same date, campaign
          and segment replace the dataset&apos;s rows of the same platform (the older ones are kept and come back if you
          remove this upload); the other rows are added, and another platform&apos;s rows are never replaced. A campaign
          name in two platforms counts as one campaign. You will see what changed.
        </p>
      ) : (
        <p className="lede">
          Drop a CSV export from Google Ads, Meta Ads Manager or Microsoft Advertising, an ad-level sheet, an order list,
          or a file in the generic template (<code>date,campaign,impressions,clicks,conversions,spend,revenue</code>). We
          detect the format, show you how we read the columns, and import only when you confirm. Your file is kept as it
          is; rows we cannot read are kept with the reason.
        </p>
      )}
      <UploadFlow maxMb={env.UPLOAD_MAX_MB} into={target} />
    </>
  );
}
