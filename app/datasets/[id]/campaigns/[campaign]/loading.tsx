/** Shown while a dataset's analysis runs on the server. */
export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="muted">Computing this campaign’s forecast…</p>
      <div className="skeleton u-h-90 u-mb-16" />
      <div className="skeleton u-h-320 u-mb-16" />
      <div className="skeleton u-h-160" />
    </div>
  );
}
