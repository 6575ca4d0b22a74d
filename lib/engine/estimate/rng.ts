/**
 * Uniform draws for the estimation code (block bootstrap, randomised PIT), taken from the engine's seeded
 * generator (lib/engine/rng.ts, xoshiro128**). Functions here take a plain `() => number` so a caller can pass any
 * seeded stream.
 */
import { createRng } from "../rng";

/** A uniform generator on [0, 1). */
export type Random = () => number;

/**
 * Seeded uniform generator on [0, 1): the `uniform()` stream of createRng(seed).
 * @param seed - any finite number (truncated, reduced mod 2^32).
 * @example seededRandom(1)() // the same number on every run and machine
 */
export function seededRandom(seed: number): Random {
  const rng = createRng(seed);
  return () => rng.uniform();
}
