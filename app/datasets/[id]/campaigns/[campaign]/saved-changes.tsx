"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ChangeMarker } from "@/lib/analysis/changes";
import { apiErrorMessage } from "@/app/_components/api-error";
import { formatDate } from "@/lib/format";

/*
 * Saved change markers on the campaign page: the "Save this change" form of "Did it work?", the list of the
 * campaign's markers, and the hook the daily chart reads them with. One query per campaign
 * (["changes", datasetId, campaign]); saving and removing invalidate it, so the list and the chart follow.
 */

/** Longest note the server keeps (lib/analysis/changes.ts NOTE_MAX). */
const NOTE_MAX = 500;

const changesKey = (datasetId: number, campaign: string) => ["changes", datasetId, campaign] as const;

async function fetchChanges(datasetId: number, campaign: string): Promise<ChangeMarker[]> {
  const res = await fetch(`/api/datasets/${datasetId}/changes?campaign=${encodeURIComponent(campaign)}`, { headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(await apiErrorMessage(res));
  return ((await res.json()) as { changes: ChangeMarker[] }).changes;
}

/** A campaign's saved change markers (GET /api/datasets/:id/changes?campaign=), starting from the server's list. */
export function useChanges(datasetId: number, campaign: string, initial: ChangeMarker[]) {
  return useQuery({ queryKey: changesKey(datasetId, campaign), queryFn: () => fetchChanges(datasetId, campaign), initialData: initial });
}

/** "Save this change": a note (optional) for the date being looked at, POST /api/datasets/:id/changes. */
export function SaveChangeForm({ datasetId, campaign, date }: { datasetId: number; campaign: string; date: string }) {
  const client = useQueryClient();
  const [note, setNote] = useState("");
  const save = useMutation({
    mutationFn: async (body: { campaign: string; date: string; note: string }) => {
      const res = await fetch(`/api/datasets/${datasetId}/changes`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(await apiErrorMessage(res));
      return (await res.json()) as ChangeMarker;
    },
    onSuccess: () => {
      setNote("");
      return client.invalidateQueries({ queryKey: changesKey(datasetId, campaign) });
    },
  });
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    save.mutate({ campaign, date, note });
  }
  return (
    <form onSubmit={submit} className="save-change no-print" aria-label="Save this change" data-testid="save-change">
      <label className="save-change-note">
        What changed on {formatDate(date)}?{" "}
        <input
          type="text"
          value={note}
          maxLength={NOTE_MAX}
          placeholder="e.g. new ads, higher bids"
          onChange={(e) => setNote(e.target.value)}
          data-testid="change-note"
        />
      </label>
      <button className="btn" type="submit" disabled={save.isPending}>
        {save.isPending ? "Saving…" : "Save this change"}
      </button>
      {save.isSuccess && (
        <span className="small muted" role="status">
          Saved.
        </span>
      )}
      {save.isError && (
        <span className="alert error small" role="alert">
          Not saved: {save.error.message}
        </span>
      )}
    </form>
  );
}

/** The campaign's saved changes: date, note, a link that shows its answer, and remove (DELETE .../changes/:id). */
export function SavedChanges({ datasetId, campaign, initial, current }: { datasetId: number; campaign: string; initial: ChangeMarker[]; current: string | null }) {
  const client = useQueryClient();
  const pathname = usePathname();
  const search = useSearchParams();
  const q = useChanges(datasetId, campaign, initial);
  const remove = useMutation({
    mutationFn: async (id: number) => {
      const res = await fetch(`/api/datasets/${datasetId}/changes/${id}`, { method: "DELETE", headers: { Accept: "application/json" } });
      if (!res.ok) throw new Error(await apiErrorMessage(res));
    },
    onSuccess: () => client.invalidateQueries({ queryKey: changesKey(datasetId, campaign) }),
  });
  const markers = q.data;
  const answerHref = (date: string) => {
    const next = new URLSearchParams(search.toString());
    next.set("change", date);
    return `${pathname}?${next.toString()}#did-it-work`;
  };
  return (
    <div className="saved-changes" data-testid="saved-changes">
      <h3>Saved changes</h3>
      {markers.length === 0 ? (
        <p className="small muted">None yet. Choose the day a change took effect, then save it with a note: it is kept here and drawn on the daily chart.</p>
      ) : (
        <ul className="saved-changes-list">
          {markers.map((m) => (
            <li key={m.id} data-testid="saved-change">
              <span className="saved-change-date">{formatDate(m.date)}</span>
              <span className="saved-change-note">{m.note || <span className="muted">(no note)</span>}</span>
              <span className="saved-change-actions no-print">
                {m.date === current ? (
                  <span className="small muted">shown above</span>
                ) : (
                  <Link href={answerHref(m.date)} scroll={false} data-testid="saved-change-answer">
                    Did it work?
                  </Link>
                )}
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => remove.mutate(m.id)}
                  disabled={remove.isPending}
                  aria-label={`Remove the change of ${formatDate(m.date)}${m.note ? ` (${m.note})` : ""}`}
                  data-testid="remove-change"
                >
                  Remove
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {(q.isError || remove.isError) && (
        <p className="alert error small" role="alert">
          {remove.isError ? `Not removed: ${remove.error.message}` : `The saved changes could not be read: ${q.error?.message ?? "please try again"}.`}
        </p>
      )}
    </div>
  );
}
