/**
 * A seeded simulation of web requests served by N identical servers, each a first-come-first-served single-server
 * queue: the latency analogy to pooling. Sending each request to a random server (no balancer) leaves every server
 * an independent M/G/1 queue whose unlucky moments nobody absorbs; a balancer that joins the shortest queue pools
 * the servers' capacity, at the price of a fixed extra hop on every request. The mean moves a little, the slow tail
 * (p99) moves a lot.
 *
 * Model: Poisson arrivals of rate lambda (requests per ms, all servers together), service times i.i.d. exponential
 * or lognormal with a given mean (ms), dispatch by policy, FIFO at each server, latency = time in system + hop.
 * Pure and deterministic for a seed: every random draw comes from the seeded generator of ./rng.
 *
 * References: L. Kleinrock, "Queueing Systems" vol. 1 (1975), section 3.2 (M/M/1: sojourn time exponential with rate
 * mu - lambda); M. Mitzenmacher (2001), "The power of two choices in randomized load balancing", IEEE TPDS 12(10).
 */
import { z } from "zod";
import { neumaierSum } from "./numeric";
import { createRng } from "./rng";
import type { Rng } from "./rng";

/** Service time law in milliseconds. */
export type ServiceTime =
  | { readonly kind: "exponential"; readonly mean: number }
  | { readonly kind: "lognormal"; readonly mean: number; readonly sigma: number };

/**
 * random: each request to a server drawn uniformly (no balancer; the same as clients pinned to random servers);
 * shortest-queue: to the server with the fewest requests in it (ties broken from a random starting server);
 * two-choices: the shorter of two distinct random servers.
 */
const DISPATCH_POLICIES = ["random", "shortest-queue", "two-choices"] as const;
export type DispatchPolicy = (typeof DISPATCH_POLICIES)[number];

/** Largest simulation accepted (requests after warm-up) and largest server count: bounds one call's time. */
const MAX_REQUESTS = 2_000_000;
const MAX_SERVERS = 256;

const positive = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a number` })
    .gt(0, { error: `${what} must be > 0` })
    .max(max, { error: `${what} must be <= ${max}` });

/** Boundary schema of a queue simulation (the engine function re-checks and throws RangeError). */
export const queueSpecSchema = z
  .strictObject({
    servers: z
      .number({ error: "servers must be a number" })
      .int({ error: "servers must be a whole number" })
      .min(1, { error: "servers must be >= 1" })
      .max(MAX_SERVERS, { error: `servers must be <= ${MAX_SERVERS}` }),
    arrivalRate: positive("arrivalRate", 1e6),
    service: z.discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("exponential"), mean: positive("service mean", 1e6) }),
      z.strictObject({
        kind: z.literal("lognormal"),
        mean: positive("service mean", 1e6),
        sigma: positive("service sigma", 3),
      }),
    ]),
    policy: z.enum(DISPATCH_POLICIES),
    hopLatency: z.number().min(0, { error: "hopLatency must be >= 0" }).max(1e6).optional(),
    requests: z
      .number()
      .int()
      .min(100, { error: "requests must be >= 100" })
      .max(MAX_REQUESTS, { error: `requests must be <= ${MAX_REQUESTS}` }),
    warmup: z.number().int().min(0).max(MAX_REQUESTS).optional(),
    seed: z.number().int(),
  })
  .refine((s) => (s.arrivalRate * s.service.mean) / s.servers < 1, {
    message: "the load (arrival rate x mean service time / servers) must be below 1, or the queues grow without bound",
  });

export type QueueSpec = z.output<typeof queueSpecSchema>;

export interface QueueResult {
  /** Latency of every request after the warm-up, in arrival order (ms, hop included). */
  readonly latencies: Float64Array;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** Offered load per server, lambda E[S] / N, in (0, 1). */
  readonly utilisation: number;
  readonly policy: DispatchPolicy;
}

/**
 * A service time sampler: exponential by inversion, lognormal with mu = ln(mean) - sigma^2 / 2 so that E[S] = mean.
 *
 * @param service - the law; mean > 0, sigma in (0, 3]
 * @returns a function drawing one service time from `rng`. Example: serviceSampler({ kind: "exponential", mean: 2 })
 * draws values whose long-run average is 2.
 */
export function serviceSampler(service: ServiceTime): (rng: Rng) => number {
  if (!(service.mean > 0) || !Number.isFinite(service.mean)) throw new RangeError(`service mean must be > 0, got ${service.mean}`);
  if (service.kind === "exponential") {
    const m = service.mean;
    // 1 - U lies in (0, 1]: the log is finite.
    return (rng) => -m * Math.log(1 - rng.uniform());
  }
  const { sigma } = service;
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`service sigma must be > 0, got ${sigma}`);
  const mu = Math.log(service.mean) - 0.5 * sigma * sigma;
  return (rng) => rng.lognormal(mu, sigma);
}

/**
 * Type-7 quantile of ascending values: x_floor(h) + (h - floor(h)) (x_ceil(h) - x_floor(h)), h = (n - 1) p.
 *
 * @param sorted - ascending, non-empty
 * @param p - in [0, 1]
 * @returns the quantile. Example: sortedQuantile(Float64Array.of(1, 2, 3, 4), 0.5) returns 2.5.
 * Reference: R. J. Hyndman, Y. Fan (1996), "Sample quantiles in statistical packages", Am. Stat. 50, definition 7.
 */
export function sortedQuantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) throw new RangeError("quantile of an empty sample");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  const h = (sorted.length - 1) * p;
  const i = Math.floor(h);
  const lo = sorted[i] as number;
  const hi = sorted[Math.min(i + 1, sorted.length - 1)] as number;
  return lo + (h - i) * (hi - lo);
}

/** Departure times of the requests in one server, oldest first (a FIFO queue's departures are increasing). */
class Departures {
  private buf: number[] = [];
  private head = 0;
  /** Drops requests that have left by time t; returns how many remain (in service or waiting). */
  countAfter(t: number): number {
    const b = this.buf;
    while (this.head < b.length && (b[this.head] as number) <= t) this.head++;
    if (this.head > 4096 && this.head * 2 > b.length) {
      this.buf = b.slice(this.head);
      this.head = 0;
    }
    return this.buf.length - this.head;
  }
  push(t: number): void {
    this.buf.push(t);
  }
  /** Departure of the last request (the time the server becomes free), or -Infinity when it never had one. */
  last(): number {
    return this.buf.length > this.head ? (this.buf[this.buf.length - 1] as number) : -Infinity;
  }
}

/**
 * Simulates `warmup + requests` requests and returns the latencies of the last `requests`.
 *
 * Each arrival t (exponential gaps of mean 1 / lambda) picks a server by the policy; it starts at max(t, the
 * server's last departure), departs after its service time, and its latency is departure - t + hopLatency.
 *
 * @param spec - servers 1..256, arrivalRate > 0 (per ms), service law (ms), policy, hopLatency >= 0 (ms, default 0),
 * requests 100..2e6, warmup >= 0 (default requests / 10), seed (any integer). The load lambda E[S] / N must be < 1.
 * @returns latencies and their mean, p50, p95, p99, p99.9 and max. Deterministic for a seed. Example: one server,
 * lambda 0.5, exponential service of mean 1 gives a mean near 1 / (1 - 0.5) = 2 ms and a p99 near ln(100) / 0.5
 * ~ 9.21 ms (M/M/1).
 */
export function simulateQueue(spec: QueueSpec): QueueResult {
  const { servers: n, arrivalRate: lambda, policy, requests, seed } = spec;
  const hop = spec.hopLatency ?? 0;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SERVERS) throw new RangeError(`servers must be an integer in [1, ${MAX_SERVERS}], got ${n}`);
  if (!(lambda > 0) || !Number.isFinite(lambda)) throw new RangeError(`arrivalRate must be > 0, got ${lambda}`);
  if (!Number.isInteger(requests) || requests < 1 || requests > MAX_REQUESTS) {
    throw new RangeError(`requests must be an integer in [1, ${MAX_REQUESTS}], got ${requests}`);
  }
  if (!(hop >= 0) || !Number.isFinite(hop)) throw new RangeError(`hopLatency must be >= 0, got ${hop}`);
  const warmup = spec.warmup ?? Math.floor(requests / 10);
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError(`warmup must be an integer >= 0, got ${warmup}`);
  const utilisation = (lambda * spec.service.mean) / n;
  if (!(utilisation < 1)) throw new RangeError(`the load per server must be below 1, got ${utilisation}`);
  const draw = serviceSampler(spec.service);
  const rng = createRng(seed);
  const queues = Array.from({ length: n }, () => new Departures());
  const latencies = new Float64Array(requests);
  const pick = (t: number): number => {
    if (n === 1) return 0;
    if (policy === "random") return Math.floor(rng.uniform() * n);
    if (policy === "two-choices") {
      const a = Math.floor(rng.uniform() * n);
      let b = Math.floor(rng.uniform() * (n - 1));
      if (b >= a) b++; // two distinct servers
      return (queues[b] as Departures).countAfter(t) < (queues[a] as Departures).countAfter(t) ? b : a;
    }
    // Shortest queue, scanning from a random server so that ties do not favour low-numbered servers.
    const start = Math.floor(rng.uniform() * n);
    let best = start;
    let bestLen = Infinity;
    for (let j = 0; j < n; j++) {
      const s = (start + j) % n;
      const len = (queues[s] as Departures).countAfter(t);
      if (len < bestLen) {
        bestLen = len;
        best = s;
        if (len === 0) break;
      }
    }
    return best;
  };
  let t = 0;
  const total = warmup + requests;
  for (let i = 0; i < total; i++) {
    t += -Math.log(1 - rng.uniform()) / lambda;
    const q = queues[pick(t)] as Departures;
    q.countAfter(t);
    const start = Math.max(t, q.last());
    const departure = start + draw(rng);
    q.push(departure);
    if (i >= warmup) latencies[i - warmup] = departure - t + hop;
  }
  // Mean by a compensated sum: 2e6 latencies of similar size would otherwise lose ~1e-10 relative.
  const latencySum = neumaierSum(latencies);
  const sorted = Float64Array.from(latencies).sort();
  return {
    latencies,
    mean: latencySum / latencies.length,
    p50: sortedQuantile(sorted, 0.5),
    p95: sortedQuantile(sorted, 0.95),
    p99: sortedQuantile(sorted, 0.99),
    p999: sortedQuantile(sorted, 0.999),
    max: sorted[sorted.length - 1] as number,
    utilisation,
    policy,
  };
}
