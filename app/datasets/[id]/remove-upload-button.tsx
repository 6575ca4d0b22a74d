"use client";

import { ConfirmDeleteButton } from "@/app/_components/confirm-delete-button";

/** Removes one upload from a dataset after an explicit confirmation step, then refreshes the page. */
export function RemoveUploadButton({ datasetId, uploadId, fileName }: { datasetId: number; uploadId: number; fileName: string }) {
  return (
    <ConfirmDeleteButton
      url={`/api/datasets/${datasetId}/uploads/${uploadId}`}
      label="Remove"
      ariaLabel={`Remove the upload ${fileName}`}
      question={<>Remove “{fileName}”? The rows it replaced come back.</>}
      confirm="Yes, remove"
      busy="Removing…"
      failure="The upload could not be removed."
      className="btn small"
    />
  );
}
