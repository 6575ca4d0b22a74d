"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, useSyncExternalStore, type FormEvent } from "react";

/**
 * The change date of "Did it work?": a date input that puts ?change=YYYY-MM-DD in the URL (the server page reads it;
 * nothing is stored). Without JavaScript the form is a plain GET of the same URL.
 */
const noSubscription = () => () => {};

export function ChangeDateForm({ initial, min, max }: { initial: string | null; min: string | null; max: string | null }) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const [date, setDate] = useState(initial ?? "");
  // true once React owns the form (false in the server's HTML): a date typed before that would be reset by hydration
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const next = new URLSearchParams(search.toString());
    if (date) next.set("change", date);
    else next.delete("change");
    router.push(`${pathname}?${next.toString()}#did-it-work`, { scroll: false });
  }

  return (
    <form
      method="get"
      onSubmit={submit}
      className="btn-row no-print"
      aria-label="Change date"
      data-hydrated={hydrated ? "true" : undefined}
    >
      {[...search.entries()]
        .filter(([k]) => k !== "change")
        .map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
      <label>
        Changed on{" "}
        <input
          type="date"
          name="change"
          value={date}
          min={min ?? undefined}
          max={max ?? undefined}
          onChange={(e) => setDate(e.target.value)}
          data-testid="change-date"
          required
        />
      </label>
      <button className="btn" type="submit">
        Did it work?
      </button>
    </form>
  );
}
