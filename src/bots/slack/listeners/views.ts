import type { App } from '@slack/bolt';
import { staffText } from '../../../i18n/staff.js';
import { validateOutOfOffice } from '../../../services/out-of-office.js';
import { CounselorMeta, decode, QuestionRef, questionAt, VIEW } from '../ids.js';
import type { ListenerDeps, Replies } from '../replies.js';

/** Modal submissions: a note answering a question, a request for a counselor, out-of-office dates. */
export function registerViews(app: App, deps: ListenerDeps, replies: Replies): void {
  const { ctx, texts, conversation, outOfOffice, directory } = deps;
  const { who, show } = replies;

  app.view(VIEW.note, async ({ ack, body, view }) => {
    await ack();
    const member = await who(body.user.id);
    const ref = decode(QuestionRef, view.private_metadata);
    const text = view.state.values.note?.text?.value?.trim();
    if (!member || !ref || !text) return;
    await show(member, body.user.id, await conversation.write(member, questionAt(ref), text));
  });

  app.view(VIEW.counselor, async ({ ack, body, view }) => {
    await ack();
    const member = await who(body.user.id);
    if (!member) return;
    const meta = decode(CounselorMeta, view.private_metadata);
    const note = view.state.values.note?.text?.value?.trim();
    await show(member, body.user.id, await conversation.askCounselor(member, meta?.st, note || undefined));
  });

  app.view(VIEW.ooo, async ({ ack, body, view }) => {
    // The answer (close, or show date errors in the modal) is due within 3 s: check the dates with what the
    // database knows, and look someone not yet remembered up in Slack only after acknowledging.
    const known = await directory.known(body.user.id);
    const from = view.state.values.from?.date?.selected_date ?? undefined;
    const to = view.state.values.to?.date?.selected_date ?? undefined;
    const today = outOfOffice.today(known ?? { timezone: ctx.config.defaultTimezone });
    const checked = validateOutOfOffice(from, to, today);
    if (checked.kind === 'invalid')
      return ack({
        response_action: 'errors',
        errors: {
          to: staffText(
            known ? replies.localeOf(known) : texts.defaultLocale,
            checked.problem,
            checked.params,
          ),
        },
      });
    await ack();
    const member = known ?? (await who(body.user.id));
    if (!member) return;
    await outOfOffice.set(member, from, to, `slack:${body.user.id}`);
    await replies.publishHome(member.id);
  });
}
