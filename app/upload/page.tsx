import type { Metadata } from "next";
import { env } from "@/lib/env";
import { UploadFlow } from "./upload-flow";

export const metadata: Metadata = { title: "Upload" };

export default function UploadPage() {
  return (
    <>
      <h1>Upload a report</h1>
      <p className="lede">
        Drop a CSV export from Google Ads, Meta Ads Manager or Microsoft Advertising, an ad-level sheet, an order list,
        or a file in the generic template (<code>date,campaign,impressions,clicks,conversions,spend,revenue</code>). We
        detect the format, show you how we read the columns, and import only when you confirm. Your file is kept as it
        is; rows we cannot read are kept with the reason.
      </p>
      <UploadFlow maxMb={env.UPLOAD_MAX_MB} />
    </>
  );
}
