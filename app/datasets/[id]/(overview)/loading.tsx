/** Shown while a dataset's analysis runs on the server. */
export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="muted">Computing the noise band for each campaign…</p>
      <div className="skeleton" style={{ height: 90, marginBottom: 16 }} />
      <div className="skeleton" style={{ height: 320, marginBottom: 16 }} />
      <div className="skeleton" style={{ height: 160 }} />
    </div>
  );
}
