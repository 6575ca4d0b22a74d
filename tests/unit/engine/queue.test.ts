import { describe, expect, it } from "vitest";
import { queueSpecSchema, serviceSampler, simulateQueue, sortedQuantile, type QueueSpec } from "@/lib/engine/queue";
import { createRng } from "@/lib/engine/rng";

const mm1: QueueSpec = {
  servers: 1,
  arrivalRate: 0.5,
  service: { kind: "exponential", mean: 1 },
  policy: "random",
  requests: 400_000,
  warmup: 20_000,
  seed: 11,
};

describe("simulateQueue: M/M/1", () => {
  // Closed form (Kleinrock vol. 1, 3.2): the sojourn time is exponential with rate mu - lambda = 0.5, so its mean is
  // 1 / (mu - lambda) = 2 ms and its p99 is ln(100) / 0.5 = 9.2103 ms.
  const r = simulateQueue(mm1);

  it("has mean sojourn 1 / (mu - lambda) = 2 ms within 3% on a long seeded run", () => {
    // Standard error of the mean for M/M/1 at load 0.5 with 4e5 requests is ~0.6% (autocorrelated): 3% is 5 se.
    expect(Math.abs(r.mean / 2 - 1)).toBeLessThan(0.03);
  });

  it("has the exponential sojourn's p99 ln(100) / (mu - lambda) within 4%", () => {
    expect(Math.abs(r.p99 / (Math.log(100) / 0.5) - 1)).toBeLessThan(0.04);
  });

  it("reports the load lambda E[S] / N and orders its quantiles", () => {
    expect(r.utilisation).toBeCloseTo(0.5, 12);
    expect(r.p50).toBeLessThanOrEqual(r.p95);
    expect(r.p95).toBeLessThanOrEqual(r.p99);
    expect(r.p99).toBeLessThanOrEqual(r.p999);
    expect(r.p999).toBeLessThanOrEqual(r.max);
    expect(r.latencies.length).toBe(400_000);
  });
});

describe("simulateQueue: random dispatch", () => {
  it("splits Poisson arrivals into independent M/M/1 queues: mean 1 / (mu - lambda / N) within 3%", () => {
    // 4 servers, lambda 2.4 per ms, mu 1: each server sees lambda / 4 = 0.6, mean sojourn 1 / 0.4 = 2.5 ms.
    const r = simulateQueue({ ...mm1, servers: 4, arrivalRate: 2.4, seed: 5 });
    expect(Math.abs(r.mean / 2.5 - 1)).toBeLessThan(0.03);
  });
});

describe("simulateQueue: reproducibility", () => {
  const spec: QueueSpec = { ...mm1, servers: 8, arrivalRate: 2, policy: "two-choices", requests: 5000, warmup: 500 };

  it("gives the same latencies for the same seed", () => {
    const a = simulateQueue(spec);
    const b = simulateQueue(spec);
    expect(Array.from(b.latencies)).toEqual(Array.from(a.latencies));
  });

  it("gives different latencies for another seed", () => {
    const a = simulateQueue(spec);
    const c = simulateQueue({ ...spec, seed: spec.seed + 1 });
    expect(Array.from(c.latencies)).not.toEqual(Array.from(a.latencies));
  });
});

describe("simulateQueue: a balancer", () => {
  // The analogies page's setting: 8 servers at 30% load, lognormal service of mean 20 ms (sigma 0.5), 6 ms hop.
  const base = {
    servers: 8,
    arrivalRate: (0.3 * 8) / 20,
    service: { kind: "lognormal", mean: 20, sigma: 0.5 } as const,
    requests: 100_000,
    seed: 2026,
  };
  const without = simulateQueue({ ...base, policy: "random" });
  const withLb = simulateQueue({ ...base, policy: "shortest-queue", hopLatency: 6 });

  it("improves the p99 by more than 15%", () => {
    expect(withLb.p99).toBeLessThan(0.85 * without.p99);
  });

  it("leaves the mean within 10% (the hop costs about what the queueing saved)", () => {
    expect(Math.abs(withLb.mean / without.mean - 1)).toBeLessThan(0.1);
  });

  it("never beats the hop: every balanced latency is at least the hop", () => {
    expect(Math.min(...withLb.latencies)).toBeGreaterThanOrEqual(6);
  });

  it("two choices land between random and the shortest queue at p99", () => {
    const two = simulateQueue({ ...base, policy: "two-choices", hopLatency: 6 });
    expect(two.p99).toBeLessThan(without.p99);
    expect(two.p99).toBeGreaterThan(withLb.p99);
  });
});

describe("simulateQueue: hop latency", () => {
  it("adds the hop to every request of a single server exactly", () => {
    const spec: QueueSpec = { ...mm1, requests: 1000, warmup: 0 };
    const a = simulateQueue(spec);
    const b = simulateQueue({ ...spec, hopLatency: 2.5 });
    for (let i = 0; i < a.latencies.length; i++) expect(b.latencies[i]).toBeCloseTo((a.latencies[i] as number) + 2.5, 9);
  });
});

describe("serviceSampler", () => {
  it("draws lognormal service times with the requested mean (n = 200,000; 5 standard errors)", () => {
    const draw = serviceSampler({ kind: "lognormal", mean: 20, sigma: 0.5 });
    const rng = createRng(3);
    let s = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) s += draw(rng);
    // sd = 20 sqrt(e^0.25 - 1) = 10.66; se = 10.66 / sqrt(2e5) = 0.0238.
    expect(Math.abs(s / n - 20)).toBeLessThan(5 * 0.0238);
  });
});

describe("validation", () => {
  it("rejects a load of 1 or more at the boundary and in the engine", () => {
    const spec = { ...mm1, arrivalRate: 1 };
    const parsed = queueSpecSchema.safeParse(spec);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain("below 1");
    expect(() => simulateQueue(spec)).toThrow(RangeError);
  });

  it("rejects a fractional server count", () => {
    expect(queueSpecSchema.safeParse({ ...mm1, servers: 2.5 }).success).toBe(false);
    expect(() => simulateQueue({ ...mm1, servers: 2.5 })).toThrow(RangeError);
  });

  it("accepts the M/M/1 spec", () => {
    expect(queueSpecSchema.safeParse(mm1).success).toBe(true);
  });
});

describe("sortedQuantile", () => {
  it("interpolates between order statistics (type 7, numpy's default)", () => {
    // numpy.quantile([1, 2, 3, 4], [0.5, 0.9]) -> [2.5, 3.7]
    expect(sortedQuantile(Float64Array.of(1, 2, 3, 4), 0.5)).toBe(2.5);
    expect(sortedQuantile(Float64Array.of(1, 2, 3, 4), 0.9)).toBeCloseTo(3.7, 12);
  });
});
