import type { AppContext } from '../context.js';
import type { TimerHandlers } from './timer-runner.js';

/** Builds timer handlers for a context. The check-in and escalation services each register one. */
export type TimerHandlerFactory = (ctx: AppContext) => TimerHandlers;

const factories: TimerHandlerFactory[] = [];

/** Registers handlers for some timer kinds; the service and the CLI both build from this list. */
export function registerTimerHandlers(factory: TimerHandlerFactory): void {
  factories.push(factory);
}

/** All registered handlers for `ctx`; a later registration of a kind wins. */
export function buildTimerHandlers(ctx: AppContext): TimerHandlers {
  return Object.assign({}, ...factories.map((f) => f(ctx))) as TimerHandlers;
}
