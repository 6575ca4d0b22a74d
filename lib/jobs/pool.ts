import "server-only";
import fs from "node:fs";
import path from "node:path";
import Piscina from "piscina";
import { getDb } from "@/db/client";
import { revisionKey } from "@/db/queries";
import { env } from "@/lib/env";
import { AppError, ERROR_CODES, type ErrorCode } from "@/lib/errors";
import type { TaskArgs, TaskMessage, TaskName, TaskOutcome, TaskResult } from "@/lib/jobs/worker/tasks";
import { buildWorkerBundle, WORKER_BUNDLE, workerBundleStale } from "@/lib/jobs/worker/build";

/*
 * The worker pool: heavy work (dataset analysis, campaign detail, the labs, models) runs in a bounded set of worker
 * threads so that the thread answering HTTP requests never waits behind it.
 *
 * - WORKER_THREADS threads, started with the pool and kept (no idle shutdown: a warm worker keeps its caches).
 * - WORKER_QUEUE tasks may wait for a thread; one more is refused at once with `overloaded` (HTTP 503 with
 *   Retry-After) instead of joining a queue that would outlast its client.
 * - Every task has a time limit, TASK_TIMEOUT_S, counted from when it was submitted (queue wait included): past it
 *   the task is aborted (the thread running it is terminated and replaced) and the caller gets `timed_out` (504).
 * - A caller's AbortSignal (a route's request.signal: the client went away) aborts the task the same way, whether it
 *   waits in the queue or runs.
 *
 * piscina (rather than tinypool) for its documented abort semantics: a running task's thread is terminated and
 * replaced, a queued task is dropped. The queue bound is counted here, not by piscina's maxQueue: piscina keeps tasks
 * that carry an AbortSignal (all of ours: the time limit) in a side queue its maxQueue does not count.
 */

/** Seconds a refused client is told to wait (Retry-After). */
export const RETRY_AFTER_S = 5;

const globalForPool = globalThis as unknown as { noisefloorPool?: Piscina<TaskMessage, TaskOutcome>; noisefloorInFlight?: number };

function workerFile(): string {
  const root = process.cwd();
  // `npm start` and `npm run build` build it; `next dev` and tests build it here on first use (about a second).
  if (env.NODE_ENV === "production" ? !fileExists(path.join(root, WORKER_BUNDLE)) : workerBundleStale(root)) {
    buildWorkerBundle(root);
  }
  return path.join(root, WORKER_BUNDLE);
}

function fileExists(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The process-wide pool (on globalThis so dev hot reload does not start another). */
export function getPool(): Piscina<TaskMessage, TaskOutcome> {
  if (!globalForPool.noisefloorPool) {
    globalForPool.noisefloorPool = new Piscina<TaskMessage, TaskOutcome>({
      filename: workerFile(),
      minThreads: env.WORKER_THREADS,
      maxThreads: env.WORKER_THREADS,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
  }
  return globalForPool.noisefloorPool;
}

/** Stops the pool's threads (tests, shutdown). The next runTask starts a new pool. */
export async function closePool(): Promise<void> {
  const pool = globalForPool.noisefloorPool;
  globalForPool.noisefloorPool = undefined;
  if (pool) await pool.destroy();
}

/** The pool's load: tasks submitted and not yet settled (running or waiting), and the threads alive. */
export function poolStats(): { inFlight: number; threads: number } {
  return { inFlight: globalForPool.noisefloorInFlight ?? 0, threads: globalForPool.noisefloorPool?.threads.length ?? 0 };
}

export interface RunOptions {
  /** Aborts the task (queued or running) when it fires: pass the route's `request.signal`. */
  signal?: AbortSignal;
  /** Time limit in milliseconds; default TASK_TIMEOUT_S. */
  timeoutMs?: number;
}

/** Tasks whose answer depends on stored data: identical requests share one task only under the same data revision. */
const READS_DATA: ReadonlySet<TaskName> = new Set<TaskName>([
  "analysis",
  "analysisSummary",
  "campaign",
  "compare",
  "ab",
  "poolingForCampaign",
  "poolingExactForCampaign",
  "collarForCampaign",
  "analogies",
]);
/** Tasks never shared: the pool's own stand-in for a long task (each call is its own), and uploaded coin prices
 * (large, one-off arguments). */
const UNSHARED: ReadonlySet<TaskName> = new Set<TaskName>(["spin", "coinUpload"]);

/** A task submitted to the pool and the callers still waiting for it. */
interface SharedTask {
  readonly outcome: Promise<unknown>;
  readonly ctl: AbortController;
  callers: number;
  key: string | null;
}

const globalForShared = globalThis as unknown as { noisefloorShared?: Map<string, SharedTask> };
/** Tasks in flight by what they compute (see shareKey). */
const inFlightTasks: Map<string, SharedTask> = (globalForShared.noisefloorShared ??= new Map());

/**
 * What a task computes: its name, its arguments and, for a task that reads stored data, the data revision (bumped by
 * every write, db/queries.ts), so that a request made after a write never joins one computing the data before it.
 * Null for a task that is never shared, or when the revision cannot be read (the task then runs on its own).
 */
function shareKey(name: TaskName, args: unknown): string | null {
  if (UNSHARED.has(name)) return null;
  let revision = "";
  if (READS_DATA.has(name)) {
    try {
      revision = revisionKey(getDb());
    } catch {
      return null;
    }
  }
  return `${name}\u0000${revision}\u0000${JSON.stringify(args) ?? ""}`;
}

/**
 * Runs one named service (lib/jobs/worker/tasks.ts) in a worker thread and returns its result.
 *
 * Identical requests in flight share one task (same service, arguments and, for stored data, data revision): a
 * dashboard opened by several people, or a page and its API call, takes one thread and one place in the queue, not
 * one each. A shared task is aborted only when every caller waiting for it has gone; each caller's own signal ends
 * its own wait at once.
 *
 * Throws AppError: the service's own (not_found, invalid_query, ...), `overloaded` when the queue is full (details
 * carry retryAfterSeconds, which errorResponse turns into a Retry-After header), `timed_out` past the time limit,
 * `internal` when the service failed unexpectedly (logged by the worker) or the thread died. When the caller's signal
 * fired (the client left), throws the signal's reason; nobody is listening for the answer then.
 */
export async function runTask<K extends TaskName>(name: K, args: TaskArgs<K>, opts: RunOptions = {}): Promise<TaskResult<K>> {
  if (opts.signal?.aborted) throw opts.signal.reason;
  const key = shareKey(name, args);
  const running = key === null ? undefined : inFlightTasks.get(key);
  const task = running ?? submit(name, args, key, opts.timeoutMs ?? env.TASK_TIMEOUT_S * 1000);
  return (await join(task, opts.signal)) as TaskResult<K>;
}

/** Submits a task to the pool (or refuses it with `overloaded`), registered under `key` while it runs. */
function submit(name: TaskName, args: unknown, key: string | null, timeoutMs: number): SharedTask {
  const inFlight = globalForPool.noisefloorInFlight ?? 0;
  if (inFlight >= env.WORKER_THREADS + env.WORKER_QUEUE) {
    throw new AppError("overloaded", `The server is busy with other calculations; please try again in ${RETRY_AFTER_S} seconds.`, {
      retryAfterSeconds: RETRY_AFTER_S,
    });
  }
  globalForPool.noisefloorInFlight = inFlight + 1;
  const ctl = new AbortController();
  const task: SharedTask = { outcome: execute(name, args, ctl, timeoutMs), ctl, callers: 0, key };
  if (key !== null) inFlightTasks.set(key, task);
  const settled = (): void => {
    globalForPool.noisefloorInFlight = (globalForPool.noisefloorInFlight ?? 1) - 1;
    forget(task);
  };
  task.outcome.then(settled, settled);
  return task;
}

/** Removes a task from the in-flight map (settled, or abandoned by all its callers), if it is still there. */
function forget(task: SharedTask): void {
  if (task.key !== null && inFlightTasks.get(task.key) === task) inFlightTasks.delete(task.key);
  task.key = null;
}

/** Waits for a task's outcome as one of its callers; the caller's signal ends the wait, and the last one to leave
 * aborts the task. */
function join(task: SharedTask, signal: AbortSignal | undefined): Promise<unknown> {
  task.callers += 1;
  return new Promise((resolve, reject) => {
    let waiting = true;
    const leave = (): boolean => {
      if (!waiting) return false;
      waiting = false;
      task.callers -= 1;
      signal?.removeEventListener("abort", onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (!leave()) return;
      reject(signal?.reason);
      if (task.callers === 0) {
        // Nobody is waiting any more: a later identical request starts afresh rather than joining an aborted task.
        forget(task);
        task.ctl.abort(signal?.reason);
      }
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    task.outcome.then(
      (v) => leave() && resolve(v),
      (e: unknown) => leave() && reject(e),
    );
  });
}

/** Runs the task on the pool under `ctl` and a time limit; resolves with its value or rejects with an AppError (or
 * the abort's reason once every caller has gone). */
async function execute(name: TaskName, args: unknown, ctl: AbortController, timeoutMs: number): Promise<unknown> {
  const pool = getPool();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort(new Error("time limit"));
  }, timeoutMs);
  let outcome: TaskOutcome;
  try {
    outcome = await pool.run({ name, args } satisfies TaskMessage, { signal: ctl.signal });
  } catch (e) {
    if (timedOut) {
      throw new AppError(
        "timed_out",
        `This took longer than ${formatSeconds(timeoutMs)} and was stopped. Try a shorter horizon, fewer budgets in the pool or a coarser model.`,
      );
    }
    if (ctl.signal.aborted) throw ctl.signal.reason ?? e;
    console.error(`[pool ${name}]`, e);
    throw new AppError("internal", "Something went wrong on our side. Nothing you sent was lost; please try again.");
  } finally {
    clearTimeout(timer);
  }
  if (outcome.ok) return outcome.value;
  if ("internal" in outcome || !(ERROR_CODES as readonly string[]).includes(outcome.code)) {
    throw new AppError("internal", "Something went wrong on our side. Nothing you sent was lost; please try again.");
  }
  throw new AppError(outcome.code as ErrorCode, outcome.message, outcome.details);
}

const formatSeconds = (ms: number): string => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);
