import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { parseDatasetId } from "@/lib/id";
import { hasCampaign, missing } from "../../route-data";

/**
 * Refuses a campaign the dataset does not have before anything streams, so the answer is a 404 (see
 * route-data.ts); the page keeps its loading skeleton. Layouts render in parallel, so this does not rely on the
 * dataset layout's check.
 */
export default async function CampaignLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ id: string; campaign: string }>;
}) {
  const { id, campaign } = await params;
  const datasetId = parseDatasetId(id);
  if (datasetId === null || missing(() => hasCampaign(datasetId, campaign))) notFound();
  return children;
}
