import { DateTime } from 'luxon';
import type { Texts } from '../../i18n/index.js';
import { type StaffKey, staffText } from '../../i18n/staff.js';
import {
  ESCALATION_OUTCOMES,
  type EscalationCard,
  type EscalationDetails,
  type EscalationOutcome,
  outcomeLabel,
} from '../../services/escalation-rules.js';

// What every chat channel shows of an escalation, before it becomes Block Kit or an Adaptive Card. The alert
// may be read in a shared channel: reference, initials and grade, school, concern, urgency, who raised it and
// when, and its state; never a name, a note or the family's words (those are in `detailsPlan`, private).

/** What a person can do from an alert, in the order the buttons appear. */
export type AlertAction = 'claim' | 'acknowledge' | 'note' | 'reassign' | 'resolve' | 'details';

/** The outcomes a counselor closes an escalation with, in the order they are offered. */
export const OUTCOMES: readonly EscalationOutcome[] = ESCALATION_OUTCOMES;

const RAISED_BY_TEXT: Record<EscalationCard['raisedBy'], StaffKey> = {
  navigator: 'alertRaisedByNavigator',
  family: 'alertRaisedByFamily',
  counselor: 'alertRaisedByCounselor',
  system: 'alertRaisedBySystem',
};

/** The heading of an alert sent as a step of the chain, by its notice's payload key. */
const NOTICE_HEADING: Record<string, StaffKey> = {
  'common.escalation_reminder': 'alertReminderHeading',
  'common.escalation_backup': 'alertBackupHeading',
  'common.escalation_overdue': 'alertOverdueHeading',
};

/** Button labels of each action. */
export const ACTION_TEXT: Record<AlertAction, StaffKey> = {
  claim: 'alertClaim',
  acknowledge: 'alertAcknowledge',
  note: 'alertAddNote',
  reassign: 'alertReassign',
  resolve: 'alertResolve',
  details: 'alertDetails',
};

/** One labelled line of an alert. */
export interface AlertField {
  label: string;
  value: string;
}

/** An alert as every chat renders it. */
export interface AlertPlan {
  locale: string;
  ref: string;
  urgent: boolean;
  resolved: boolean;
  heading: string;
  fields: AlertField[];
  /** The buttons still true of the escalation's state: none once it is resolved. */
  actions: AlertAction[];
  /** The notification text (heading and concern only). */
  summary: string;
}

/** An outcome in words. */
export function outcomeText(locale: string, outcome: EscalationOutcome): string {
  return outcomeLabel(locale, outcome);
}

/** A time with its time zone in the person's language: 'Tue 24 Nov, 09:00 CST'. */
export function alertTime(locale: string, ms: number, timeZone: string): string {
  return DateTime.fromMillis(ms, { zone: timeZone })
    .setLocale(locale)
    .toFormat(staffText(locale, 'alertTimeFormat'));
}

/** Which buttons an alert shows in each state: Claim only while nobody holds it, none once resolved. */
export function alertActions(status: EscalationCard['status']): AlertAction[] {
  switch (status) {
    case 'open':
      return ['claim', 'acknowledge', 'note', 'reassign', 'resolve', 'details'];
    case 'claimed':
      return ['acknowledge', 'note', 'reassign', 'resolve', 'details'];
    case 'acknowledged':
      return ['note', 'reassign', 'resolve', 'details'];
    case 'resolved':
      return [];
  }
}

function statusText(locale: string, card: EscalationCard): string {
  const holder = card.holder ?? '—';
  switch (card.status) {
    case 'open':
      return staffText(locale, 'alertStatusOpen');
    case 'claimed':
      return staffText(locale, 'alertStatusClaimed', { holder });
    case 'acknowledged':
      return staffText(locale, 'alertStatusAcknowledged', { holder });
    case 'resolved': {
      const outcome = card.outcome ? outcomeText(locale, card.outcome) : '—';
      return card.holder
        ? staffText(locale, 'alertStatusResolvedBy', { holder: card.holder, outcome })
        : staffText(locale, 'alertStatusResolved', { outcome });
    }
  }
}

/** The student as an alert names them: initials and grade, or "a family" when none is linked. */
function studentText(locale: string, card: EscalationCard): string {
  if (!card.initials) return staffText(locale, 'alertFamilyOnly');
  return card.grade === null
    ? staffText(locale, 'alertStudentNoGrade', { initials: card.initials })
    : staffText(locale, 'alertStudent', { initials: card.initials, grade: card.grade });
}

/**
 * The alert of an escalation in its current state, in the reader's language. `notice` is the payload key the
 * alert was first sent with ('common.escalation_overdue' heads it as overdue until someone acknowledges it).
 */
export function escalationAlertPlan(
  texts: Texts,
  card: EscalationCard,
  locale: string,
  notice = 'common.escalation_new',
): AlertPlan {
  const urgency = staffText(locale, card.urgent ? 'alertUrgent' : 'alertNormal');
  const concern = texts.t(`common.trigger.${card.trigger}`, locale).text;
  // A reminder, a backup's or an overdue notice says so while nobody has acknowledged the case.
  const noticeHeading = NOTICE_HEADING[notice];
  const pending = card.status === 'open' || card.status === 'claimed';
  const heading =
    noticeHeading && pending
      ? staffText(locale, noticeHeading, { ref: card.ref })
      : staffText(locale, 'alertHeading', { urgency, ref: card.ref });
  const fields: AlertField[] = [
    { label: staffText(locale, 'alertLabelStudent'), value: studentText(locale, card) },
    { label: staffText(locale, 'alertLabelSchool'), value: card.schoolName ?? '—' },
    { label: staffText(locale, 'alertLabelConcern'), value: concern },
    { label: staffText(locale, 'alertLabelUrgency'), value: urgency },
    {
      label: staffText(locale, 'alertLabelRaised'),
      value: staffText(locale, 'alertRaised', {
        who: staffText(locale, RAISED_BY_TEXT[card.raisedBy]),
        time: alertTime(locale, card.createdAt, card.timeZone),
      }),
    },
  ];
  if (card.dueAt !== null && card.status === 'open')
    fields.push({
      label: staffText(locale, 'alertLabelDue'),
      value: alertTime(locale, card.dueAt, card.timeZone),
    });
  fields.push({ label: staffText(locale, 'alertLabelStatus'), value: statusText(locale, card) });
  return {
    locale,
    ref: card.ref,
    urgent: card.urgent,
    resolved: card.status === 'resolved',
    heading,
    fields,
    // The overdue notice goes to lead navigators, who reassign or resolve but never take a case themselves.
    actions: alertActions(card.status).filter(
      (a) => notice !== 'common.escalation_overdue' || (a !== 'claim' && a !== 'acknowledge'),
    ),
    summary: `${heading}: ${concern}`,
  };
}

/** The private view of an escalation: the alert's lines, then the names, the note, the family's words, the history. */
export interface DetailsPlan {
  title: string;
  notice: string;
  fields: AlertField[];
  note: string | null;
  familyWords: string[];
  history: string[];
}

/** The private details for the assigned counselor, in their language. Never posted to a shared channel. */
export function detailsPlan(texts: Texts, details: EscalationDetails, locale: string): DetailsPlan {
  const alert = escalationAlertPlan(texts, details, locale);
  const at = (ms: number) => alertTime(locale, ms, details.timeZone);
  const none = staffText(locale, 'alertNone');
  return {
    title: staffText(locale, 'alertDetailsTitle', { ref: details.ref }),
    notice: staffText(locale, 'alertDetailsPrivate'),
    fields: [
      { label: staffText(locale, 'alertLabelStudentName'), value: details.studentName ?? none },
      { label: staffText(locale, 'alertLabelNavigator'), value: details.navigatorName ?? none },
      // The alert's first line (initials and grade) gives way to the name.
      ...alert.fields.slice(1),
    ],
    note: details.note,
    familyWords: details.familyWords.map((w) => `${at(w.at)} — ${w.body}`),
    history: details.history.map(
      (h) => `${at(h.at)} — ${h.actor}: ${h.action}${h.text ? ` — ${h.text}` : ''}`,
    ),
  };
}
