// The words every layer shares — which channels exist, which languages ship, how needs are classified — in
// one place, so config, the store, the services and the adapters cannot drift apart. No imports but the
// pure taxonomy the dialog engine owns.

/** Where a message goes: the simulator, a chat platform, or a phone. */
export const CHANNELS = ['local', 'slack', 'teams', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Languages the product ships texts for. Family texts exist in all of them. */
export const SUPPORTED_LOCALES = ['en', 'es', 'ar', 'zh', 'vi', 'pt', 'ht', 'so', 'ru'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];

/** Languages staff screens (Slack, Teams, the simulator) ship in; others fall back to English. */
export const STAFF_LOCALES = ['en', 'es'] as const satisfies readonly Locale[];

// What counts as a completed check-in. A navigator who answered "Couldn't reach them" or "They were absent"
// did the work of trying, but the student was not seen: that is attempted, not completed, wherever a week's
// completion is counted (the navigator's caseload and history, the lead navigators' digest).

/** The navigator script step whose answer tells met from attempted. */
export const CONNECT_STEP = 'connect';

/** Answers to the `connect` step that mean the navigator tried but did not reach the student. */
export const ATTEMPTED_CONNECT_ANSWERS: ReadonlySet<unknown> = new Set(['unreachable', 'absent']);

/** True when a completed check-in was only an attempt (the `connect` answer says the student was not reached). */
export function wasAttempt(connect: unknown): boolean {
  return ATTEMPTED_CONNECT_ANSWERS.has(connect);
}

export {
  CHECKIN_KINDS,
  CHECKIN_STATUSES,
  ESCALATION_STATUSES,
  NEED_AREAS,
  NEED_SEVERITIES,
  NEED_SOURCES,
  NEED_STATUSES,
  type NeedArea,
  SESSION_STATUSES,
} from './dialogs/taxonomy.js';
