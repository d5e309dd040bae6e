import type { RenderedMessage } from '../../i18n/index.js';
import type { StaffKey } from '../../i18n/staff.js';
import type { CheckinStatus, FamilyReach } from '../../services/caseload.js';

// What every chat channel shows a navigator, before it becomes Block Kit or an Adaptive Card: a check-in card
// per student and the caseload list. Each channel renders these its own way; the content is decided once.

/** A student as a chat shows them: first name and grade only. */
export interface CardStudent {
  id: string;
  firstName: string;
  grade: string;
}

/** An earlier part of a card: an info line, or a question with the answer given. */
export interface CardLine {
  text: string;
  answer?: string;
}

/** One chat message for one student's check-in (or a session-level message), updated as answers come. */
export interface CardModel {
  locale: string;
  student?: CardStudent;
  earlier: CardLine[];
  current: RenderedMessage;
  multiple: boolean;
  /** The step waiting for an answer; without it the message only informs (no inputs). */
  question?: { sid: string; step: string; st?: string };
}

/** A student on the caseload list, with what the adapter shows under them. */
export interface CaseloadEntry extends CardStudent {
  status: CheckinStatus;
  /** Set when the family cannot be texted, so the navigator reaches out another way. */
  family?: FamilyReach;
  /** Short lines under the name: what needs the navigator now (every view); open needs and what the family said (App Home). */
  details?: string[];
}

/** The staff text of each check-in status. */
export const STATUS_TEXT: Record<CheckinStatus, StaffKey> = {
  pending: 'statusPending',
  in_progress: 'statusInProgress',
  completed: 'statusCompleted',
  attempted: 'statusAttempted',
  skipped: 'statusSkipped',
  missed: 'statusMissed',
};

/** The staff text of each reason a family cannot be texted. */
export const FAMILY_REACH_TEXT: Record<FamilyReach, StaffKey> = {
  opted_out: 'familyOptedOut',
  invalid: 'familyInvalid',
  unreachable: 'familyUnreachable',
  no_phone: 'familyNoPhone',
};
