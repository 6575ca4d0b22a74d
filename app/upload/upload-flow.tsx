"use client";

import { useCallback, useReducer, useRef } from "react";
import { formatNumber, formatSize, plural } from "@/lib/format";
import { ChooseFile } from "./choose-file";
import { ImportSummaryView } from "./import-summary";
import { NeedsMapping } from "./mapping-fields";
import { Review } from "./review";
import { importProgress, importUpload, newToken, previewWithMapping, sendFile, unrecognisedColumns } from "./upload-client";
import { initialUploadState, uploadReducer } from "./upload-state";

/** Percent of n in d, whole, at most 100 (0 when d is 0). */
const pct = (n: number, d: number) => (d > 0 ? Math.min(100, Math.round((100 * n) / d)) : 0);

/**
 * The upload page's flow: choose a file, (map its columns,) review how it is read, import, see the summary. The
 * stages and choices are upload-state.ts's reducer; the calls are upload-client.ts's; each step is its own view.
 */
export function UploadFlow({ maxMb, into }: { maxMb: number; into?: { id: number; name: string } }) {
  const [state, dispatch] = useReducer(uploadReducer, initialUploadState);
  const { stage, mapping, name, currency } = state;
  const inputRef = useRef<HTMLInputElement>(null);

  const start = useCallback(
    async (file: File) => {
      if (file.size > maxMb * 1024 * 1024) {
        dispatch({
          type: "refused",
          file,
          message: `This file is ${formatSize(file.size, "MB", 1)}; the limit is ${formatNumber(maxMb, 0)} MB. Export a shorter date range and upload the parts.`,
        });
        return;
      }
      dispatch({ type: "sendStarted", file });
      try {
        const detection = await sendFile(file, newToken(), (sent) => dispatch({ type: "sent", file, sent }));
        dispatch({ type: "detected", file, detection });
      } catch (e) {
        const columns = unrecognisedColumns(e);
        if (columns) dispatch({ type: "needsMapping", file, ...columns, message: (e as Error).message });
        else dispatch({ type: "sendFailed", file, message: (e as Error).message });
      }
    },
    [maxMb],
  );

  const preview = useCallback(async () => {
    if (stage.kind !== "needsMapping") return;
    try {
      dispatch({ type: "previewed", detection: await previewWithMapping(stage.sha256, stage.file.name, mapping) });
    } catch (e) {
      dispatch({ type: "previewFailed", message: (e as Error).message });
    }
  }, [stage, mapping]);

  const confirm = useCallback(async () => {
    if (stage.kind !== "review") return;
    const { file, detection } = stage;
    const token = newToken();
    dispatch({ type: "importStarted" });
    const timer = setInterval(async () => {
      const progress = await importProgress(token);
      if (progress) dispatch({ type: "progress", progress });
    }, 250);
    try {
      // Always the mapping on screen: a mapping chosen before the preview is what the preview was read with, and
      // the server cannot find it again from headers it did not recognise.
      const summary = await importUpload(detection.sha256, {
        fileName: file.name,
        name: name.trim() || undefined,
        token,
        mapping,
        ...(currency ? { currency } : {}),
        ...(into ? { datasetId: into.id } : {}),
      });
      dispatch({ type: "imported", summary });
    } catch (e) {
      dispatch({ type: "importFailed", message: (e as Error).message });
    } finally {
      clearInterval(timer);
    }
  }, [stage, mapping, name, currency, into]);

  const reset = () => {
    dispatch({ type: "reset" });
    if (inputRef.current) inputRef.current.value = "";
  };

  return (
    <div className="grid upload-flow">
      {(stage.kind === "idle" || stage.kind === "error") && <ChooseFile maxMb={maxMb} inputRef={inputRef} onFile={(f) => void start(f)} />}

      {stage.kind === "error" && (
        <div className="alert error" role="alert">
          <strong>{stage.file ? `We could not import ${stage.file.name}.` : "Something went wrong."}</strong> {stage.message}
        </div>
      )}

      {stage.kind === "sending" && (
        <div className="panel" aria-live="polite">
          <p>
            Sending <strong>{stage.file.name}</strong>: {formatSize(stage.sent, "KB", 0, false)} of {formatSize(stage.file.size, "KB")}
          </p>
          <progress className="progress" aria-label="Bytes sent" max={100} value={pct(stage.sent, stage.file.size)} />
        </div>
      )}

      {stage.kind === "needsMapping" && (
        <NeedsMapping
          fileName={stage.file.name}
          message={stage.message}
          headers={stage.headers}
          mapping={mapping}
          setMapping={(m) => dispatch({ type: "setMapping", mapping: m })}
          onPreview={() => void preview()}
          onCancel={reset}
        />
      )}

      {stage.kind === "review" && (
        <Review
          detection={stage.detection}
          error={stage.error}
          currency={currency}
          setCurrency={(c) => dispatch({ type: "setCurrency", currency: c })}
          mapping={mapping}
          setMapping={(m) => dispatch({ type: "setMapping", mapping: m })}
          name={name}
          into={into}
          setName={(n) => dispatch({ type: "setName", name: n })}
          onConfirm={() => void confirm()}
          onCancel={reset}
        />
      )}

      {stage.kind === "importing" && (
        <div className="panel" aria-live="polite">
          <p>
            Importing <strong>{stage.file.name}</strong>
            {stage.progress ? `: ${plural(stage.progress.rowsDone, "row")} read` : "..."}
          </p>
          <progress
            className="progress"
            aria-label="Rows imported"
            max={100}
            value={stage.progress ? pct(stage.progress.bytesDone, stage.progress.bytesTotal) : 0}
          />
        </div>
      )}

      {stage.kind === "done" && <ImportSummaryView summary={stage.summary} onAnother={reset} />}
    </div>
  );
}
