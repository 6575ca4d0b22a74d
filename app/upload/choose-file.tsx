import { useId, useState, type RefObject } from "react";

/** The first step: a drop zone that also opens the file chooser (click, Enter or Space). */
export function ChooseFile({ maxMb, inputRef, onFile }: { maxMb: number; inputRef: RefObject<HTMLInputElement | null>; onFile: (f: File) => void }) {
  const [over, setOver] = useState(false);
  const inputId = useId();
  return (
    <div
      className={`dropzone${over ? " over" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const f = e.dataTransfer.files[0];
        if (f) onFile(f);
      }}
      onClick={() => inputRef.current?.click()}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          inputRef.current?.click();
        }
      }}
      role="button"
      tabIndex={0}
      aria-describedby={`${inputId}-hint`}
    >
      <p className="dropzone-title">Drop a CSV file here, or click to choose one</p>
      <p id={`${inputId}-hint`} className="muted small dropzone-hint">
        Up to {maxMb} MB. UTF-8 or UTF-16 (Excel) exports, comma, tab or semicolon separated.
      </p>
      <label htmlFor={inputId} className="sr-only">
        Choose a CSV file
      </label>
      <input
        ref={inputRef}
        id={inputId}
        data-testid="file-input"
        type="file"
        accept=".csv,.tsv,.txt,text/csv,text/plain"
        hidden
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) onFile(f);
        }}
      />
    </div>
  );
}
