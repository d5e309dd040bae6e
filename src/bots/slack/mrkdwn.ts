/** Lookalikes of Slack's formatting marks: a family's `*word*` must not turn into the bot's own emphasis. */
const FORMATTING: Record<string, string> = { '*': '\u2217', _: '\u02CD', '~': '\u223C', '`': '\u02CB' };

/**
 * The one way words from families, staff, the roster and the locale files enter Slack mrkdwn, in every field
 * (message and notification text, blocks, App Home, modals). `&`, `<` and `>` become entities, so
 * `<!channel>`, `<@U123>` and `<http://x|y>` show as typed and notify or link nobody; `*`, `_`, `~` and a
 * backtick become lookalike characters, since mrkdwn has no escape for them. Example:
 * `escapeMrkdwn('<!channel> *now*')` → `&lt;!channel&gt; ∗now∗`.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/[*_~`]/g, (c) => FORMATTING[c] ?? c);
}
