// The district's shared vocabulary (DESIGN.md §2): need areas, severities and statuses, check-in and
// escalation statuses. Plain constants, so the pure engine, the scripts and the database schema
// (src/store/schema/checkins.ts re-exports them) all speak the same words without the engine importing a
// database library.

/** Need areas from the Success Planning and UCLA learning-supports frameworks. */
export const NEED_AREAS = [
  'academic',
  'attendance',
  'technology_access',
  'learning_space',
  'food_security',
  'housing_stability',
  'physical_health',
  'mental_emotional_wellbeing',
  'family_social_services',
  'transportation',
  'enrichment',
  'safety',
  'other',
] as const;
/** One need area, e.g. `'food_security'`. */
export type NeedArea = (typeof NEED_AREAS)[number];

/** How serious a need is. */
export const NEED_SEVERITIES = ['low', 'medium', 'high'] as const;

/** A need's lifecycle: identified → referred → connected → receiving → resolved (or declined). */
export const NEED_STATUSES = [
  'identified',
  'referred',
  'connected',
  'receiving',
  'resolved',
  'declined',
] as const;

/** Who raised a need or an escalation. */
export const NEED_SOURCES = ['navigator', 'family', 'counselor'] as const;

/** A check-in is a navigator's (per student) or a family's (per guardian). */
export const CHECKIN_KINDS = ['navigator', 'family'] as const;

/** Where a week's check-in stands. */
export const CHECKIN_STATUSES = ['pending', 'in_progress', 'completed', 'skipped', 'missed'] as const;
export type CheckinStatus = (typeof CHECKIN_STATUSES)[number];

/** Where a hand-off to a counselor stands. */
export const ESCALATION_STATUSES = ['open', 'claimed', 'acknowledged', 'resolved'] as const;

/** Where a dialog session stands. */
export const SESSION_STATUSES = ['active', 'completed', 'expired', 'ended'] as const;
