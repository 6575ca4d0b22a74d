"use client";

import { RouteError } from "@/app/_components/route-error";

/** A friendly message when the dataset page fails; the internal error is only logged (never shown). */
export default function DatasetError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <RouteError error={error} retry={retry} title="We could not show this dataset" back={{ href: "/datasets", label: "All datasets" }}>
      <p>Something went wrong while computing its figures. Your data is safe: nothing was changed. Try again, or go back to the list.</p>
    </RouteError>
  );
}
