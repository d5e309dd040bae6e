import { randomUUID } from 'node:crypto';

/** The current time in milliseconds since the epoch. Injected everywhere so tests control time. */
export type Clock = () => number;
/** Makes a new unique id. Injected so tests get stable ids. */
export type IdGenerator = () => string;

export const systemClock: Clock = () => Date.now();
export const uuid: IdGenerator = () => randomUUID();

/** A clock tests can move: `const c = fixedClock(Date.parse('2026-11-23T14:00:00Z')); c.advance(60_000)`. */
export function fixedClock(start: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = start;
  const clock = (() => now) as Clock & { set(ms: number): void; advance(ms: number): void };
  clock.set = (ms) => {
    now = ms;
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

/** Ids 'prefix-1', 'prefix-2', ... for tests. */
export function sequentialIds(prefix = 'id'): IdGenerator {
  let n = 0;
  return () => `${prefix}-${++n}`;
}
