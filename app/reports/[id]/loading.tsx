/** Shown while the report's figures are computed. */
export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="muted">Building the report…</p>
      <div className="skeleton u-h-120 u-mb-16" />
      <div className="skeleton u-h-400" />
    </div>
  );
}
