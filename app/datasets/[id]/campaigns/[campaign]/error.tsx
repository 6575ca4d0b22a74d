"use client";

import { RouteError } from "@/app/_components/route-error";

/** A friendly message when the campaign page fails; the internal error is only logged (never shown). */
export default function CampaignError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <RouteError error={error} retry={retry} title="We could not show this campaign" back={{ href: "/datasets", label: "All datasets" }}>
      <p>Something went wrong while computing its forecast. Your data is safe: nothing was changed.</p>
    </RouteError>
  );
}
