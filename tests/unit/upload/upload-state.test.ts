/**
 * The upload flow's state machine (app/upload/upload-state.ts): every transition, and that an action arriving in a
 * stage it does not belong to changes nothing.
 */
import { describe, expect, it } from "vitest";
import { baseName, initialUploadState, uploadReducer, type UploadAction, type UploadState } from "@/app/upload/upload-state";
import type { Detection, ImportProgress, ImportSummary } from "@/lib/types/ingest";

const file = new File(["date,campaign\n"], "march report.csv", { type: "text/csv" });
const other = new File(["x"], "other.csv");
const detection = { sha256: "ab".repeat(32), mapping: { campaign: "Campaign", clicks: "Clicks" } } as unknown as Detection;
const summary = { datasetId: 7 } as unknown as ImportSummary;
const progress: ImportProgress = { bytesDone: 10, bytesTotal: 40, rowsDone: 3, phase: "parsing" };

const run = (state: UploadState, ...actions: UploadAction[]) => actions.reduce(uploadReducer, state);
const review = run(initialUploadState, { type: "sendStarted", file }, { type: "detected", file, detection });
const needs = run(initialUploadState, { type: "sendStarted", file }, {
  type: "needsMapping",
  file,
  sha256: "cd".repeat(32),
  headers: ["a", "b"],
  suggested: { campaign: "a" },
  message: "We did not recognise these columns.",
});
const importing = uploadReducer(review, { type: "importStarted" });

describe("uploadReducer", () => {
  it("starts idle with nothing chosen", () => {
    expect(initialUploadState).toEqual({ stage: { kind: "idle" }, mapping: {}, name: "", currency: "" });
  });

  it("refuses a file that is too large with the reason, keeping the file", () => {
    expect(uploadReducer(initialUploadState, { type: "refused", file, message: "too big" }).stage).toEqual({ kind: "error", file, message: "too big" });
  });

  it("sends, counting the bytes sent of the file being sent only", () => {
    const sending = uploadReducer(initialUploadState, { type: "sendStarted", file });
    expect(sending.stage).toEqual({ kind: "sending", file, sent: 0 });
    expect(uploadReducer(sending, { type: "sent", file, sent: 512 }).stage).toEqual({ kind: "sending", file, sent: 512 });
    expect(uploadReducer(sending, { type: "sent", file: other, sent: 512 })).toBe(sending);
    expect(uploadReducer(initialUploadState, { type: "sent", file, sent: 1 })).toBe(initialUploadState);
  });

  it("goes to the review with the detected mapping, the file's name and no currency", () => {
    const withCurrency = { ...initialUploadState, currency: "EUR" };
    const s = run(withCurrency, { type: "sendStarted", file }, { type: "detected", file, detection });
    expect(s).toEqual({ stage: { kind: "review", file, detection }, mapping: detection.mapping, name: "march report", currency: "" });
  });

  it("asks for the columns of an unrecognised file, starting from the server's guesses", () => {
    expect(needs.stage).toMatchObject({ kind: "needsMapping", file, headers: ["a", "b"] });
    expect(needs.mapping).toEqual({ campaign: "a" });
    expect(needs.name).toBe("march report");
  });

  it("shows a failed send as an error naming the file", () => {
    const s = run(initialUploadState, { type: "sendStarted", file }, { type: "sendFailed", file, message: "interrupted" });
    expect(s.stage).toEqual({ kind: "error", file, message: "interrupted" });
  });

  it("previews a chosen mapping: the review shows the mapping the preview was read with", () => {
    const chosen = uploadReducer(needs, { type: "setMapping", mapping: { campaign: "a" } });
    const read = { ...detection, mapping: { campaign: "a", clicks: "b" } } as Detection;
    const s = uploadReducer(chosen, { type: "previewed", detection: read });
    expect(s.stage).toEqual({ kind: "review", file, detection: read });
    expect(s.mapping).toEqual({ campaign: "a", clicks: "b" });
    expect(uploadReducer(review, { type: "previewed", detection: read })).toBe(review);
  });

  it("keeps the mapping step on a failed preview, with the new message", () => {
    const s = uploadReducer(needs, { type: "previewFailed", message: "still no campaign" });
    expect(s.stage).toMatchObject({ kind: "needsMapping", message: "still no campaign" });
    expect(uploadReducer(review, { type: "previewFailed", message: "x" })).toBe(review);
  });

  it("imports from the review only, then follows the progress", () => {
    expect(importing.stage).toEqual({ kind: "importing", file, detection, progress: null });
    expect(uploadReducer(needs, { type: "importStarted" })).toBe(needs);
    expect(uploadReducer(importing, { type: "progress", progress }).stage).toMatchObject({ kind: "importing", progress });
    expect(uploadReducer(review, { type: "progress", progress })).toBe(review);
  });

  it("ends with the summary", () => {
    expect(uploadReducer(importing, { type: "imported", summary }).stage).toEqual({ kind: "done", summary });
    expect(uploadReducer(review, { type: "imported", summary })).toBe(review);
  });

  it("goes back to the review on a failed import, keeping the mapping, the name and the currency", () => {
    const chosen = run(review, { type: "setName", name: "Spring" }, { type: "setCurrency", currency: "GBP" }, { type: "importStarted" });
    const s = uploadReducer(chosen, { type: "importFailed", message: "disk full" });
    expect(s).toEqual({ stage: { kind: "review", file, detection, error: "disk full" }, mapping: detection.mapping, name: "Spring", currency: "GBP" });
    expect(uploadReducer(review, { type: "importFailed", message: "x" })).toBe(review);
  });

  it("records the user's mapping, name and currency in any stage", () => {
    const s = run(review, { type: "setMapping", mapping: { campaign: "X" } }, { type: "setName", name: "N" }, { type: "setCurrency", currency: "USD" });
    expect(s).toMatchObject({ mapping: { campaign: "X" }, name: "N", currency: "USD", stage: review.stage });
  });

  it("resets to idle from any stage", () => {
    for (const s of [review, needs, importing, uploadReducer(importing, { type: "imported", summary })]) {
      expect(uploadReducer(s, { type: "reset" }).stage).toEqual({ kind: "idle" });
    }
  });
});

describe("baseName", () => {
  it("drops the extension only", () => {
    expect(baseName("report.csv")).toBe("report");
    expect(baseName("q1.2026.tsv")).toBe("q1.2026");
    expect(baseName("no extension")).toBe("no extension");
  });
});
