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
