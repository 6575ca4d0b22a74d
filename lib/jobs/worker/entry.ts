/**
 * The worker thread's entry (bundled to .next/noisefloor-worker/worker.cjs by lib/jobs/worker/build.ts; piscina
 * loads it). Runs one named task from ./tasks and answers a TaskOutcome: AppErrors travel back as their code and
 * user-facing message; anything else is logged here, with its stack, and answered as `internal` so no internal
 * detail reaches a client.
 */
import os from "node:os";
import { isAppError } from "@/lib/errors";
import { TASKS, type TaskMessage, type TaskOutcome } from "./tasks";

/**
 * Heavy work yields the CPU to the thread that answers requests: on Linux, setpriority(PRIO_PROCESS, 0) applies to
 * the calling thread only, so this lowers this worker thread and nothing else. (Elsewhere it would lower the whole
 * process, so it is left alone there.)
 */
const WORKER_NICE = 10;
if (process.platform === "linux") {
  try {
    os.setPriority(WORKER_NICE);
  } catch {
    // not permitted here: run at the normal priority
  }
}

export default function runTask(msg: TaskMessage): TaskOutcome {
  const fn = (TASKS as Record<string, ((a: unknown) => unknown) | undefined>)[msg.name];
  if (!fn) {
    console.error(`[worker] unknown task ${String(msg.name)}`);
    return { ok: false, internal: true };
  }
  try {
    return { ok: true, value: fn(msg.args) };
  } catch (e) {
    if (isAppError(e)) return { ok: false, code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
    console.error(`[worker ${msg.name}]`, e);
    return { ok: false, internal: true };
  }
}
