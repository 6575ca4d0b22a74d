import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as PoolModule from "@/lib/jobs/pool";
import type * as HttpModule from "@/app/api/_lib/http";
import { runModel, modelSpecSchema } from "@/lib/engine/contract";
import { AppError } from "@/lib/errors";

// One thread and a queue of one, so that "busy" and "full" are easy to reach; settings are read once, at import.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-pool-"));
vi.stubEnv("DATABASE_PATH", path.join(dir, "pool.db"));
vi.stubEnv("SAMPLE_DATA", "0");
vi.stubEnv("WORKER_THREADS", "1");
vi.stubEnv("WORKER_QUEUE", "1");

let pool: typeof PoolModule;
let http: typeof HttpModule;

beforeAll(async () => {
  pool = await import("@/lib/jobs/pool");
  http = await import("@/app/api/_lib/http");
  // The first task starts the thread (and builds the bundle when it is missing or stale).
  await pool.runTask("spin", { ms: 0 });
}, 120_000);

afterAll(async () => {
  await pool.closePool();
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const caught = async (p: Promise<unknown>): Promise<unknown> => p.then(() => null, (e: unknown) => e);

describe("the worker pool", () => {
  it("answers a model in a worker exactly as the engine does on this thread", async () => {
    const spec = modelSpecSchema.parse({
      frequency: { kind: "poisson", lambda: 3 },
      severity: { kind: "gamma", shape: 2, scale: 40 },
      quantiles: [0.05, 0.5, 0.95],
      floor: "q05",
    });
    const inWorker = await pool.runTask("model", spec);
    // Same code, same input, deterministic engine: the structured clone must carry every figure unchanged.
    expect(inWorker).toEqual(runModel(spec));
    // And the figures are the closed forms: E[S] = lambda k theta = 240, sd = sqrt(lambda k (k+1)) theta = 169.7.
    expect(inWorker.mean).toBeCloseTo(240, 6);
    expect(inWorker.sd).toBeCloseTo(Math.sqrt(3 * 2 * 3) * 40, 4);
  });

  it("carries a service's user-facing error back with its code", async () => {
    const e = await caught(pool.runTask("analysis", { datasetId: 999, q: { horizon: "week" } }));
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe("not_found");
    expect((e as AppError).message).toContain("999");
  });

  it("refuses a task beyond the queue with overloaded and a retry time, and the route answers 503 with Retry-After", async () => {
    const running = pool.runTask("spin", { ms: 1500 });
    await new Promise((r) => setTimeout(r, 100)); // let the thread take it
    const queued = pool.runTask("spin", { ms: 0 });
    const refused = await caught(pool.runTask("spin", { ms: 0 }));
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("overloaded");
    const res = http.handleError(refused, "test");
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("overloaded");
    await expect(running).resolves.toEqual({ spun: true });
    await expect(queued).resolves.toEqual({ spun: true });
  });

  it("stops a task past its time limit (timed_out, 504) and the thread serves the next task", async () => {
    const t0 = Date.now();
    const e = await caught(pool.runTask("spin", { ms: 30_000 }, { timeoutMs: 300 }));
    expect((e as AppError).code).toBe("timed_out");
    expect(http.handleError(e, "test").status).toBe(504);
    // Without termination the single thread would spin for 30 s before this could run.
    await expect(pool.runTask("spin", { ms: 0 })).resolves.toEqual({ spun: true });
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it("frees the thread when the caller's signal aborts (a client that went away)", async () => {
    const ctl = new AbortController();
    const t0 = Date.now();
    const task = pool.runTask("spin", { ms: 30_000 }, { signal: ctl.signal });
    setTimeout(() => ctl.abort(new DOMException("client gone", "AbortError")), 200);
    const e = await caught(task);
    expect(http.isAbortError(e)).toBe(true);
    await expect(pool.runTask("spin", { ms: 0 })).resolves.toEqual({ spun: true });
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it("shares one task among identical requests in flight: one place in the queue, one answer for all", async () => {
    const spec = modelSpecSchema.parse({ frequency: { kind: "poisson", lambda: 7 }, severity: { kind: "gamma", shape: 3, scale: 20 } });
    const other = modelSpecSchema.parse({ frequency: { kind: "poisson", lambda: 8 }, severity: { kind: "gamma", shape: 3, scale: 20 } });
    const running = pool.runTask("spin", { ms: 1000 });
    await new Promise((r) => setTimeout(r, 100)); // the thread is busy; the queue has one place
    const same = [pool.runTask("model", spec), pool.runTask("model", spec), pool.runTask("model", spec)];
    // three callers, one task: the spin and the model are all that is in flight
    expect(pool.poolStats().inFlight).toBe(2);
    // a different request needs a place of its own, and there is none
    expect(((await caught(pool.runTask("model", other))) as AppError).code).toBe("overloaded");
    const answers = await Promise.all(same);
    for (const a of answers) expect(a).toEqual(runModel(spec));
    await running;
    // settled tasks leave nothing behind: the same request now runs afresh
    await expect(pool.runTask("model", spec)).resolves.toEqual(runModel(spec));
    expect(pool.poolStats().inFlight).toBe(0);
  });

  it("keeps a shared task for the callers still waiting when one leaves, and drops it when the last one leaves", async () => {
    const spec = modelSpecSchema.parse({ frequency: { kind: "poisson", lambda: 9 }, severity: { kind: "gamma", shape: 2, scale: 30 } });
    const running = pool.runTask("spin", { ms: 800 });
    await new Promise((r) => setTimeout(r, 100));
    const gone = new AbortController();
    const left = pool.runTask("model", spec, { signal: gone.signal });
    const stays = pool.runTask("model", spec);
    gone.abort(new DOMException("client gone", "AbortError"));
    expect(http.isAbortError(await caught(left))).toBe(true);
    await expect(stays).resolves.toEqual(runModel(spec));
    await running;

    const busy = pool.runTask("spin", { ms: 800 });
    await new Promise((r) => setTimeout(r, 100));
    const a = new AbortController();
    const b = new AbortController();
    const both = [pool.runTask("model", spec, { signal: a.signal }), pool.runTask("model", spec, { signal: b.signal })];
    a.abort(new DOMException("client gone", "AbortError"));
    b.abort(new DOMException("client gone", "AbortError"));
    for (const p of both) expect(http.isAbortError(await caught(p))).toBe(true);
    await new Promise((r) => setTimeout(r, 50)); // the dropped task settles
    expect(pool.poolStats().inFlight).toBe(1); // the spin alone: the abandoned model left the queue
    await busy;
  });

  it("does not let a request made after a write join a task computing the data before it", async () => {
    const running = pool.runTask("spin", { ms: 1000 });
    await new Promise((r) => setTimeout(r, 100));
    const q = { datasetId: 4242, q: { horizon: "week" as const } };
    const before = [pool.runTask("analysis", q), pool.runTask("analysis", q)];
    expect(pool.poolStats().inFlight).toBe(2);
    const { getDb } = await import("@/db/client");
    const { bumpDataRevision } = await import("@/db/queries");
    bumpDataRevision(getDb().$client);
    // the same arguments under a new revision are another task, and the queue's one place is taken
    expect(((await caught(pool.runTask("analysis", q))) as AppError).code).toBe("overloaded");
    for (const p of before) expect(((await caught(p)) as AppError).code).toBe("not_found");
    await running;
  });

  it("drops a queued task whose caller aborts before it starts", async () => {
    const running = pool.runTask("spin", { ms: 800 });
    await new Promise((r) => setTimeout(r, 100));
    const ctl = new AbortController();
    const queued = pool.runTask("spin", { ms: 30_000 }, { signal: ctl.signal });
    ctl.abort(new DOMException("client gone", "AbortError"));
    expect(http.isAbortError(await caught(queued))).toBe(true);
    await expect(running).resolves.toEqual({ spun: true });
    expect(pool.poolStats().inFlight).toBe(0);
  });
});
