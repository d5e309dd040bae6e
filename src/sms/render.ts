import { smsSegments } from '../dialogs/sms.js';
import type { Texts } from '../i18n/index.js';
import type { MessagePayload } from '../messages.js';

/** Text key appended to the first text a guardian ever receives: how to stop (and get help). */
export const CONSENT_NOTICE_KEY = 'family.consent';

/** An SMS body ready to store in the outbox, with what it costs. */
export interface RenderedSms {
  body: string;
  locale: string;
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
}

/**
 * Renders a payload as one SMS in the guardian's language: the text, then numbered choices ("1) Good"),
 * then, on the first text to this guardian, the consent notice (how to stop). Example:
 * `renderSms(texts, { key: 'family.how_is', choices }, 'es', { consentNotice: true })`.
 */
export function renderSms(
  texts: Texts,
  payload: MessagePayload,
  locale: string,
  options: { consentNotice?: boolean } = {},
): RenderedSms {
  const r = texts.render(payload, locale);
  const lines = [r.text];
  if (r.choices.length > 0) lines.push(r.choices.map((c) => `${c.id}) ${c.label}`).join('\n'));
  if (options.consentNotice) lines.push(texts.t(CONSENT_NOTICE_KEY, r.locale).text);
  const body = lines.join('\n');
  const cost = smsSegments(body);
  return { body, locale: r.locale, encoding: cost.encoding, segments: cost.segments };
}
