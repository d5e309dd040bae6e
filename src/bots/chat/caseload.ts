import type { Texts } from '../../i18n/index.js';
import { staffText } from '../../i18n/staff.js';
import type { CaseloadStudent } from '../../services/caseload.js';
import type { CaseloadEntry } from './cards.js';

/**
 * A student of the week as the caseload list shows them; with details (App Home), the lines under the name:
 * open needs by area with their status, and what the family said this week.
 */
export function caseloadEntry(texts: Texts, locale: string, student: CaseloadStudent): CaseloadEntry {
  const { details, ...entry } = student;
  if (!details) return entry;
  const lines = [
    details.openNeeds.length === 0
      ? staffText(locale, 'noOpenNeeds')
      : staffText(locale, 'openNeeds', {
          list: details.openNeeds
            .map(
              (n) => `${texts.t(`navigator.area.${n.area}`, locale).text} (${n.status.replaceAll('_', ' ')})`,
            )
            .join(', '),
        }),
  ];
  const said = details.familySaid;
  if (said)
    lines.push(
      staffText(locale, 'familySaid', {
        text: texts.t(said.key, locale, said.params).text,
      }),
    );
  return { ...entry, details: lines };
}
