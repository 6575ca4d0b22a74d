"use client";

import { ConfirmDeleteButton } from "./confirm-delete-button";

/** Deletes a dataset after an explicit confirmation step, then refreshes the page (or goes to `redirectTo`). */
export function DeleteDatasetButton({ id, name, redirectTo, compact = false }: { id: number; name: string; redirectTo?: string; compact?: boolean }) {
  return (
    <ConfirmDeleteButton
      url={`/api/datasets/${id}`}
      label="Delete"
      ariaLabel={`Delete ${name}`}
      question={<>Delete “{name}” and its rows?</>}
      confirm="Yes, delete"
      busy="Deleting…"
      failure="The dataset could not be deleted."
      className={`btn danger${compact ? " small" : ""}`}
      redirectTo={redirectTo}
    />
  );
}
