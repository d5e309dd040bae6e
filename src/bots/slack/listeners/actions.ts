import type { App, BlockAction } from '@slack/bolt';
import type { StaffMember } from '../../../services/staff-directory.js';
import { studentTitle } from '../blocks.js';
import { counselorModal, noteModal, oooModal } from '../home.js';
import { ACTION, CounselorMeta, decode, QuestionRef, questionAt, StudentAction } from '../ids.js';
import type { ListenerDeps, Replies } from '../replies.js';

/** Opens the "ask a counselor" modal, titled with the student when there is one. */
async function openCounselor(
  deps: ListenerDeps,
  replies: Replies,
  member: StaffMember,
  triggerId: string,
  studentId: string | undefined,
) {
  const locale = replies.localeOf(member);
  const student = studentId ? await deps.conversation.student(member, studentId) : undefined;
  await deps.client.views.open({
    trigger_id: triggerId,
    view: counselorModal(locale, student ? studentTitle(locale, student) : '', student?.id),
  });
}

/** Buttons, checkboxes and menus: the check-in card, the caseload list and the App Home. */
export function registerActions(app: App, deps: ListenerDeps, replies: Replies): void {
  const { conversation, outOfOffice, client } = deps;
  const { who, tell, show } = replies;

  // --- the check-in card ---------------------------------------------------------------------------
  app.action<BlockAction>(ACTION.choice, async ({ ack, body, action }) => {
    await ack();
    const ref = decode(QuestionRef, 'value' in action ? action.value : undefined);
    if (!ref?.c) return;
    const channel = body.channel?.id;
    const member = await who(body.user.id, channel);
    if (member)
      await show(member, body.user.id, await conversation.choose(member, questionAt(ref), [ref.c]), channel);
  });

  // Ticking a checkbox only changes the card's state; Done sends the choices.
  app.action<BlockAction>(new RegExp(`^${ACTION.pick.replace('.', '\\.')}\\.\\d+$`), async ({ ack }) => {
    await ack();
  });

  app.action<BlockAction>(ACTION.done, async ({ ack, body, action }) => {
    await ack();
    const ref = decode(QuestionRef, 'value' in action ? action.value : undefined);
    const channel = body.channel?.id;
    const picked: string[] = [];
    for (const block of Object.values(body.state?.values ?? {}))
      for (const [actionId, state] of Object.entries(block))
        if (actionId.startsWith(`${ACTION.pick}.`))
          picked.push(...(state.selected_options ?? []).map((o) => o.value).filter((v): v is string => !!v));
    const member = await who(body.user.id, channel);
    if (!member) return;
    if (picked.length === 0) return tell(member, body.user.id, 'pickThenDone', channel);
    if (ref)
      await show(member, body.user.id, await conversation.choose(member, questionAt(ref), picked), channel);
  });

  app.action<BlockAction>(ACTION.note, async ({ ack, body, action }) => {
    await ack();
    const member = await who(body.user.id, body.channel?.id);
    const value = 'value' in action ? action.value : undefined;
    if (!member || !value) return;
    const question = body.message?.blocks?.find((b: { block_id?: string }) => b.block_id === 'question') as
      | { text?: { text?: string } }
      | undefined;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: noteModal(replies.localeOf(member), question?.text?.text ?? '', value),
    });
  });

  app.action<BlockAction>(ACTION.stop, async ({ ack, body }) => {
    await ack();
    const channel = body.channel?.id;
    const member = await who(body.user.id, channel);
    if (member) await show(member, body.user.id, await conversation.stop(member), channel);
  });

  app.action<BlockAction>(ACTION.resume, async ({ ack, body }) => {
    await ack();
    const channel = body.channel?.id;
    const member = await who(body.user.id, channel);
    if (member) await show(member, body.user.id, await conversation.startOrResume(member), channel);
  });

  app.action<BlockAction>(ACTION.counselor, async ({ ack, body, action }) => {
    await ack();
    const member = await who(body.user.id, body.channel?.id);
    const meta = decode(CounselorMeta, 'value' in action ? action.value : undefined);
    if (member) await openCounselor(deps, replies, member, body.trigger_id, meta?.st);
  });

  // --- caseload list (weekly prompt, App Home, /checkin status) ---------------------------------------
  app.action<BlockAction>(ACTION.student, async ({ ack, body, action }) => {
    await ack();
    const picked = decode(
      StudentAction,
      'selected_option' in action ? action.selected_option?.value : undefined,
    );
    const channel = body.channel?.id;
    const member = await who(body.user.id, channel);
    if (!member || !picked) return;
    if (picked.a === 'counselor') return openCounselor(deps, replies, member, body.trigger_id, picked.st);
    const result =
      picked.a === 'goto'
        ? await conversation.checkInStudent(member, picked.st)
        : await conversation.skipStudent(member, picked.st);
    await show(member, body.user.id, result, channel);
  });

  // --- App Home: out of office ----------------------------------------------------------------------
  app.action<BlockAction>(ACTION.oooSet, async ({ ack, body }) => {
    await ack();
    const member = await who(body.user.id);
    if (!member) return;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: oooModal(replies.localeOf(member), member.oooFrom, member.oooTo, outOfOffice.today(member)),
    });
  });

  app.action<BlockAction>(ACTION.oooClear, async ({ ack, body }) => {
    await ack();
    const member = await who(body.user.id);
    if (!member) return;
    await outOfOffice.clear(member, `slack:${body.user.id}`);
    await replies.publishHome(member.id);
  });
}
