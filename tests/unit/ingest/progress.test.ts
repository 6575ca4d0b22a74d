import { describe, expect, it } from "vitest";
import { PROGRESS_TTL_MS, clearProgress, getProgress, setProgress } from "@/lib/ingest/progress";

const p = { bytesDone: 10, bytesTotal: 100, rowsDone: 0, phase: "receiving" as const };

describe("progress registry", () => {
  it("keeps the latest progress per token and clears it on request", () => {
    setProgress("tok-a", p, 1000);
    setProgress("tok-a", { ...p, bytesDone: 50 }, 1001);
    expect(getProgress("tok-a", 1002)).toEqual({ ...p, bytesDone: 50 });
    clearProgress("tok-a");
    expect(getProgress("tok-a", 1003)).toBeUndefined();
  });

  it("forgets an entry a few minutes after its last update", () => {
    setProgress("tok-b", p, 0);
    expect(getProgress("tok-b", PROGRESS_TTL_MS - 1)).toEqual(p);
    expect(getProgress("tok-b", PROGRESS_TTL_MS)).toBeUndefined();
  });

  it("sweeps expired entries when others are written", () => {
    setProgress("tok-c", p, 0);
    setProgress("tok-d", p, PROGRESS_TTL_MS + 1);
    const holder = globalThis as unknown as { noisefloorProgress: Map<string, unknown> };
    expect(holder.noisefloorProgress.has("tok-c")).toBe(false);
    expect(holder.noisefloorProgress.has("tok-d")).toBe(true);
  });

  it("hands out copies, not the stored object", () => {
    setProgress("tok-e", p, 0);
    const got = getProgress("tok-e", 1);
    if (got) got.bytesDone = 999;
    expect(getProgress("tok-e", 2)?.bytesDone).toBe(10);
  });
});
