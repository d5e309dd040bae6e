import type { AppContext } from '../../context.js';
import type { OutboundMessage } from '../../delivery/transport.js';
import type { Texts } from '../../i18n/index.js';
import type { MessagePayload } from '../../messages.js';
import { digestDashboardUrl, linkHours } from '../../services/dashboard-links.js';

// The weekly digest as every chat channel shows it: a heading, the figures (counts only, never a student or a
// family), and a button to the dashboard with a link minted for the recipient when the message is sent.

/** The text key the digest service queues (`digestMessage` in src/services/digest-delivery.ts). */
export const DIGEST_KEY = 'digest.weekly';

export function isDigestMessage(message: Pick<OutboundMessage, 'payload'>): boolean {
  return message.payload.key === DIGEST_KEY;
}

/** What Slack's blocks and Teams' card are made from. */
export interface DigestView {
  locale: string;
  heading: string;
  /** The figures, one line each, in the recipient's language. */
  lines: string[];
  /** The whole digest as plain text: the notification and the fallback. */
  text: string;
  button: string;
  /** Absent when the recipient may not open the dashboard: the digest goes without the button. */
  url?: string;
  note: string;
}

export function digestView(
  texts: Texts,
  locale: string,
  payload: MessagePayload,
  url: string | undefined,
  linkHours: number,
): DigestView {
  const lng = texts.resolveLocale(locale);
  const text = texts.render(payload, lng).text;
  const params = payload.params ?? {};
  const t = (key: string, p: Record<string, string | number> = {}) =>
    texts.t(`dashboard.digest.${key}`, lng, p).text;
  return {
    locale: lng,
    heading: t('heading', { school: String(params.school ?? ''), week: String(params.week ?? '') }),
    // The first line of the text names school and week: the heading says that already.
    lines: text.split('\n').slice(1),
    text,
    button: t('button'),
    ...(url ? { url } : {}),
    note: t('linkNote', { hours: linkHours }),
  };
}

/** The digest view of an outbox message, with a dashboard link minted now for its recipient. */
export async function digestViewFor(
  ctx: AppContext,
  texts: Texts,
  message: OutboundMessage,
): Promise<DigestView> {
  const url = await digestDashboardUrl(ctx, message.recipientId);
  return digestView(texts, message.locale, message.payload, url, linkHours(ctx.config));
}
