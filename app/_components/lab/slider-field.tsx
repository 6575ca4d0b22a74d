"use client";

import { useId, type ReactNode } from "react";

export interface SliderFieldProps {
  label: string;
  /** The value as shown next to the label. */
  display: ReactNode;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange: (v: number) => void;
  /** Ends of the scale under the slider. */
  scale?: [string, string];
  hint?: ReactNode;
  disabled?: boolean;
  testId?: string;
  /** Screen-reader text of the current value (default: the display when it is text). */
  valueText?: string;
}

/** A labelled range input with its current value, the scale's ends and an optional hint. */
export function SliderField({ label, display, value, min, max, step, onChange, scale, hint, disabled, testId, valueText }: SliderFieldProps) {
  const id = useId();
  const outId = useId();
  return (
    <div className="field lab-slider">
      <div className="lab-slider-head">
        <label htmlFor={id}>{label}</label>
        <output id={outId} htmlFor={id} aria-live="off">
          {display}
        </output>
      </div>
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={step}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(Number(e.target.value))}
        aria-valuetext={valueText ?? (typeof display === "string" ? display : undefined)}
        data-testid={testId}
      />
      {scale && (
        <div className="lab-slider-scale" aria-hidden="true">
          <span>{scale[0]}</span>
          <span>{scale[1]}</span>
        </div>
      )}
      {hint && <span className="small muted">{hint}</span>}
    </div>
  );
}
