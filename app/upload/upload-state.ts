import type { Detection, ImportProgress, ImportSummary, Mapping } from "@/lib/types/ingest";

/*
 * The upload flow as a state machine: where the user is (the stage) and what they chose (mapping, dataset name,
 * currency). Pure: the network calls live in upload-client.ts, the screens in the view components.
 *
 *   idle/error --send--> sending --detected--> review --import--> importing --imported--> done
 *                                 \--needsMapping--> needsMapping --previewed--> review
 *   a failed send -> error; a failed preview stays on needsMapping with the message; a failed import goes back to
 *   review with the message and everything chosen kept. reset -> idle from anywhere.
 */

export type Stage =
  | { kind: "idle" }
  | { kind: "sending"; file: File; sent: number }
  | { kind: "needsMapping"; file: File; sha256: string; headers: string[]; message: string }
  /** `error`: the last import attempt failed; the file, the mapping and the name stay on screen to try again. */
  | { kind: "review"; file: File; detection: Detection; error?: string }
  | { kind: "importing"; file: File; detection: Detection; progress: ImportProgress | null }
  | { kind: "done"; summary: ImportSummary }
  | { kind: "error"; message: string; file?: File };

export interface UploadState {
  stage: Stage;
  /** The column chosen for each field; what Import sends. */
  mapping: Mapping;
  /** Dataset name (the file's name without its extension until the user changes it). */
  name: string;
  /** ISO 4217 code chosen for a file that names no currency; "" = leave it unstated. */
  currency: string;
}

export type UploadAction =
  | { type: "refused"; file: File; message: string }
  | { type: "sendStarted"; file: File }
  | { type: "sent"; file: File; sent: number }
  | { type: "detected"; file: File; detection: Detection }
  | { type: "needsMapping"; file: File; sha256: string; headers: string[]; suggested: Mapping; message: string }
  | { type: "sendFailed"; file: File; message: string }
  | { type: "previewed"; detection: Detection }
  | { type: "previewFailed"; message: string }
  | { type: "importStarted" }
  | { type: "progress"; progress: ImportProgress }
  | { type: "imported"; summary: ImportSummary }
  | { type: "importFailed"; message: string }
  | { type: "setMapping"; mapping: Mapping }
  | { type: "setName"; name: string }
  | { type: "setCurrency"; currency: string }
  | { type: "reset" };

export const initialUploadState: UploadState = { stage: { kind: "idle" }, mapping: {}, name: "", currency: "" };

/** A file's name without its extension: "report.csv" -> "report". */
export const baseName = (fileName: string) => fileName.replace(/\.[A-Za-z0-9]+$/, "");

/**
 * The next state of the upload flow. An action that does not apply to the current stage (a late progress report
 * after the import ended, a second click) leaves the state as it is.
 */
export function uploadReducer(state: UploadState, action: UploadAction): UploadState {
  const { stage } = state;
  switch (action.type) {
    case "refused":
      return { ...state, stage: { kind: "error", file: action.file, message: action.message } };
    case "sendStarted":
      return { ...state, stage: { kind: "sending", file: action.file, sent: 0 } };
    case "sent":
      return stage.kind === "sending" && stage.file === action.file ? { ...state, stage: { ...stage, sent: action.sent } } : state;
    case "detected":
      return {
        mapping: action.detection.mapping,
        name: baseName(action.file.name),
        currency: "",
        stage: { kind: "review", file: action.file, detection: action.detection },
      };
    case "needsMapping":
      // The editor starts from the server's guesses (suggestMapping); the person checks them against a preview.
      return {
        mapping: action.suggested,
        name: baseName(action.file.name),
        currency: "",
        stage: { kind: "needsMapping", file: action.file, sha256: action.sha256, headers: action.headers, message: action.message },
      };
    case "sendFailed":
      return { ...state, stage: { kind: "error", file: action.file, message: action.message } };
    case "previewed":
      // The selects now show the mapping the preview was read with; Import sends exactly what they show.
      if (stage.kind !== "needsMapping") return state;
      return { ...state, mapping: action.detection.mapping, stage: { kind: "review", file: stage.file, detection: action.detection } };
    case "previewFailed":
      return stage.kind === "needsMapping" ? { ...state, stage: { ...stage, message: action.message } } : state;
    case "importStarted":
      if (stage.kind !== "review") return state;
      return { ...state, stage: { kind: "importing", file: stage.file, detection: stage.detection, progress: null } };
    case "progress":
      return stage.kind === "importing" ? { ...state, stage: { ...stage, progress: action.progress } } : state;
    case "imported":
      return stage.kind === "importing" ? { ...state, stage: { kind: "done", summary: action.summary } } : state;
    case "importFailed":
      // Back to the review with everything the user chose still on screen.
      if (stage.kind !== "importing") return state;
      return { ...state, stage: { kind: "review", file: stage.file, detection: stage.detection, error: action.message } };
    case "setMapping":
      return { ...state, mapping: action.mapping };
    case "setName":
      return { ...state, name: action.name };
    case "setCurrency":
      return { ...state, currency: action.currency };
    case "reset":
      return { ...state, stage: { kind: "idle" } };
  }
}
