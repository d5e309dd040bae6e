import type { Texts } from '../../i18n/index.js';
import { type StaffKey, staffText } from '../../i18n/staff.js';
import type { CaseloadStudent, StudentAlerts } from '../../services/caseload.js';
import type { CaseloadEntry } from './cards.js';

const ESCALATION_STATUS_TEXT: Record<StudentAlerts['escalations'][number]['status'], StaffKey> = {
  open: 'caseloadEscalationOpen',
  claimed: 'caseloadEscalationClaimed',
  acknowledged: 'caseloadEscalationAcknowledged',
};

/** What needs the navigator now, most pressing first: escalations, call requests, referrals, STOP or pause, texts. */
function alertLines(texts: Texts, locale: string, alerts: StudentAlerts): string[] {
  const lines = alerts.escalations.map((e) =>
    staffText(locale, 'caseloadEscalation', {
      ref: e.ref,
      trigger: texts.t(`common.trigger.${e.trigger}`, locale).text,
      status: staffText(locale, ESCALATION_STATUS_TEXT[e.status]),
    }),
  );
  for (const c of alerts.callRequests)
    lines.push(
      staffText(locale, c.overdue ? 'caseloadCallRequestOverdue' : 'caseloadCallRequest', { due: c.due }),
    );
  for (const r of alerts.referrals)
    lines.push(
      staffText(locale, r.followUpAnswer === 'not_yet' ? 'caseloadReferralNotYet' : 'caseloadReferral', {
        service: r.serviceName,
        area: texts.t(`navigator.area.${r.area}`, locale).text,
        status: staffText(locale, `referralStatus_${r.status}` as StaffKey),
      }),
    );
  if (alerts.stopped)
    lines.push(
      alerts.stopped.date
        ? staffText(locale, 'caseloadStopped', { date: alerts.stopped.date })
        : staffText(locale, 'caseloadStoppedUndated'),
    );
  if (alerts.pausedUntil) lines.push(staffText(locale, 'caseloadPaused', { date: alerts.pausedUntil }));
  for (const t of alerts.texts)
    lines.push(staffText(locale, 'caseloadFamilyText', { date: t.date, text: t.text }));
  if (alerts.moreTexts > 0) lines.push(staffText(locale, 'caseloadMoreTexts', { count: alerts.moreTexts }));
  return lines;
}

/**
 * A student of the week as the caseload list shows them, with the lines under the name: in every view, what
 * needs the navigator now (alerts); with details (App Home), open needs by area with their status, and what
 * the family said this week when their texts are not listed already.
 */
export function caseloadEntry(texts: Texts, locale: string, student: CaseloadStudent): CaseloadEntry {
  const { details, alerts, ...entry } = student;
  const lines = alerts ? alertLines(texts, locale, alerts) : [];
  if (details) {
    lines.push(
      details.openNeeds.length === 0
        ? staffText(locale, 'noOpenNeeds')
        : staffText(locale, 'openNeeds', {
            list: details.openNeeds
              .map(
                (n) =>
                  `${texts.t(`navigator.area.${n.area}`, locale).text} (${n.status.replaceAll('_', ' ')})`,
              )
              .join(', '),
          }),
    );
    const said = details.familySaid;
    const listed = said?.key === 'navigator.family_note' && (alerts?.texts.length ?? 0) > 0;
    if (said && !listed)
      lines.push(
        staffText(locale, 'familySaid', {
          text: texts.t(said.key, locale, said.params).text,
        }),
      );
  }
  return lines.length > 0 ? { ...entry, details: lines } : entry;
}
