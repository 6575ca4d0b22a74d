"use client";

import { RouteError } from "@/app/_components/route-error";

/** A friendly message when the report page fails; the internal error is only logged (never shown). */
export default function ReportError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <RouteError error={error} retry={retry} title="We could not build this report" back={{ href: "/datasets", label: "All datasets" }}>
      <p>Something went wrong while computing its figures. Your data is safe: nothing was changed. Try again, or go back to the list.</p>
    </RouteError>
  );
}
