import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { parseDatasetId } from "@/lib/id";
import { isReadyDataset } from "@/lib/ingest/datasets";
import { missing } from "./route-data";

/**
 * Refuses an unknown or malformed dataset id before anything streams, so the answer is a 404 (see route-data.ts);
 * the pages below keep their loading skeletons. The not-found UI is app/datasets/not-found.tsx.
 */
export default async function DatasetLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  const { id } = await params;
  const datasetId = parseDatasetId(id);
  if (datasetId === null || missing(() => isReadyDataset(datasetId))) notFound();
  return children;
}
