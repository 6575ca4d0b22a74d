import { postJson } from "@/app/_components/lab/fetch-json";
import { MAPPABLE_FIELDS, type Detection, type ImportProgress, type ImportSummary, type MappableField, type Mapping } from "@/lib/types/ingest";

/* The upload flow's calls to the API: send the bytes (with progress), preview with a mapping, import, poll progress. */

/** A random token that names one upload or import (its progress is asked for by it). */
export function newToken(): string {
  const a = new Uint8Array(12);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** An error from the API with its user-safe details (e.g. the headers we saw in an unrecognised file). */
class UploadError extends Error {
  readonly details?: Record<string, unknown>;
  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.details = details;
  }
}

/**
 * POSTs the file's bytes for a preview (XMLHttpRequest: fetch reports no upload progress). Resolves with how the
 * server read it; rejects with an UploadError carrying the API's details (sha256 and headers of a file whose columns
 * were not recognised).
 */
export function sendFile(file: File, token: string, onSent: (n: number) => void): Promise<Detection> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const q = new URLSearchParams({ fileName: file.name, token, preview: "1" });
    xhr.open("POST", `/api/uploads?${q.toString()}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => onSent(e.loaded);
    xhr.onerror = () => reject(new Error("The upload was interrupted. Check your connection and try again."));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        reject(new Error(`The server answered ${xhr.status}. Please try again.`));
        return;
      }
      if (xhr.status >= 400) {
        const err = (body as { error?: { message?: string; details?: Record<string, unknown> } }).error;
        reject(new UploadError(err?.message ?? `The server answered ${xhr.status}.`, err?.details));
        return;
      }
      resolve((body as { detection: Detection }).detection);
    };
    xhr.send(file);
  });
}

/** The columns of an unrecognised file, from an UploadError's details; null when it carries none. */
export function unrecognisedColumns(e: unknown): { sha256: string; headers: string[]; suggested: Mapping } | null {
  const details = e instanceof UploadError ? e.details : undefined;
  if (details && typeof details.sha256 === "string" && Array.isArray(details.headers)) {
    const headers = details.headers.map(String);
    // The server's guesses for the editor, kept only where they name a field and one of the file's headers.
    const suggested: Mapping = {};
    const raw = details.suggested;
    if (raw && typeof raw === "object") {
      for (const [field, header] of Object.entries(raw as Record<string, unknown>)) {
        if ((MAPPABLE_FIELDS as readonly string[]).includes(field) && typeof header === "string" && headers.includes(header)) {
          suggested[field as MappableField] = header;
        }
      }
    }
    return { sha256: details.sha256, headers, suggested };
  }
  return null;
}

/** Reads a stored upload again with the columns the user chose. */
export async function previewWithMapping(sha256: string, fileName: string, mapping: Mapping): Promise<Detection> {
  const { detection } = await postJson<{ detection: Detection }>(`/api/uploads/${sha256}/detect`, { fileName, mapping });
  return detection;
}

/**
 * Imports a stored upload with the mapping on screen, a dataset name and (when the file names none) a currency; with
 * `datasetId`, into that dataset (a newer export of the same account).
 */
export function importUpload(
  sha256: string,
  body: { fileName: string; name: string | undefined; token: string; mapping: Mapping; currency?: string; datasetId?: number },
): Promise<ImportSummary> {
  return postJson<ImportSummary>(`/api/uploads/${sha256}/import`, body);
}

/** How far an import has come; null when the server has nothing for the token (yet) or cannot be reached. */
export async function importProgress(token: string): Promise<ImportProgress | null> {
  try {
    const r = await fetch(`/api/uploads/progress?token=${token}`, { cache: "no-store" });
    return r.status === 200 ? ((await r.json()) as ImportProgress) : null;
  } catch {
    return null; // progress is best effort
  }
}
