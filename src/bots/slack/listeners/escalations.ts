import type { App, BlockAction } from '@slack/bolt';
import { actOnEscalation } from '../../../services/escalation-actions.js';
import { type EscalationAction, isEscalationOutcome } from '../../../services/escalation-rules.js';
import { escalationAssignees, escalationDetails } from '../../../services/escalation-view.js';
import type { StaffMember } from '../../../services/staff-directory.js';
import { detailsPlan } from '../../chat/escalation-alert.js';
import {
  alertDetailsModal,
  alertNoteModal,
  alertReassignModal,
  alertResolveModal,
} from '../escalation-blocks.js';
import { ACTION, AlertRef, decode, VIEW } from '../ids.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { queueReply } from '../own-messages.js';
import type { ListenerDeps, Replies } from '../replies.js';

/**
 * A counselor's escalation alert: Claim and Acknowledge act at once; Add note, Reassign and Resolve open a
 * modal first; Details opens the private view for the person holding the case. The escalation service decides
 * who may do what; the person is answered with its sentence (ephemeral where they pressed), and the alert
 * itself is edited in place through the outbox.
 */
export function registerEscalationActions(app: App, deps: ListenerDeps, replies: Replies): void {
  const { ctx, texts, client, messages } = deps;
  const { who } = replies;

  /** Shows the service's sentence to the person only: ephemeral in the conversation, else in their DM. */
  const answer = async (member: StaffMember, userId: string, text: string, channel: string | undefined) => {
    if (channel) {
      await client.chat.postEphemeral({ channel, user: userId, text: escapeMrkdwn(text) });
      return;
    }
    await queueReply(
      messages,
      { member, slackUserId: userId, locale: replies.localeOf(member) },
      'alertMessage',
      { text },
    );
  };

  const act = async (
    member: StaffMember,
    userId: string,
    ref: AlertRef,
    action: EscalationAction,
    channel: string | undefined,
  ) => {
    const result = await actOnEscalation(ctx, ref.e, member.id, action);
    await answer(member, userId, result.message, channel);
  };

  const pressed = (
    actionId: string,
    run: (args: {
      member: StaffMember;
      userId: string;
      ref: AlertRef;
      channel: string | undefined;
      triggerId: string;
    }) => Promise<unknown>,
  ) =>
    app.action<BlockAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      const ref = decode(AlertRef, 'value' in action ? action.value : undefined);
      const channel = body.channel?.id;
      const member = await who(body.user.id, channel);
      if (!member || !ref) return;
      await run({ member, userId: body.user.id, ref, channel, triggerId: body.trigger_id });
    });

  pressed(ACTION.alertClaim, ({ member, userId, ref, channel }) =>
    act(member, userId, ref, { kind: 'claim' }, channel),
  );
  pressed(ACTION.alertAcknowledge, ({ member, userId, ref, channel }) =>
    act(member, userId, ref, { kind: 'acknowledge' }, channel),
  );
  pressed(ACTION.alertNote, ({ member, ref, channel, triggerId }) =>
    client.views.open({
      trigger_id: triggerId,
      view: alertNoteModal(replies.localeOf(member), { e: ref.e, ...(channel ? { ch: channel } : {}) }),
    }),
  );
  pressed(ACTION.alertReassign, async ({ member, ref, channel, triggerId }) => {
    const counselors = await escalationAssignees(ctx, ref.e);
    await client.views.open({
      trigger_id: triggerId,
      view: alertReassignModal(
        replies.localeOf(member),
        { e: ref.e, ...(channel ? { ch: channel } : {}) },
        counselors,
      ),
    });
  });
  pressed(ACTION.alertResolve, ({ member, ref, channel, triggerId }) =>
    client.views.open({
      trigger_id: triggerId,
      view: alertResolveModal(replies.localeOf(member), { e: ref.e, ...(channel ? { ch: channel } : {}) }),
    }),
  );
  // The private view is opened for the one person who asked (views.open), never posted where others read.
  pressed(ACTION.alertDetails, async ({ member, userId, ref, channel, triggerId }) => {
    const result = await escalationDetails(ctx, ref.e, member.id);
    if (!result.ok) return answer(member, userId, result.message, channel);
    const locale = replies.localeOf(member);
    await client.views.open({
      trigger_id: triggerId,
      view: alertDetailsModal(locale, detailsPlan(texts, result.details, locale)),
    });
  });

  const submitted = (callbackId: string, actionOf: (values: ViewValues) => EscalationAction | null) =>
    app.view(callbackId, async ({ ack, body, view }) => {
      await ack();
      const ref = decode(AlertRef, view.private_metadata);
      const action = actionOf(view.state.values as ViewValues);
      const member = await who(body.user.id);
      if (!member || !ref || !action) return;
      await act(member, body.user.id, ref, action, ref.ch);
    });

  submitted(VIEW.alertNote, (v) => ({ kind: 'note', text: v.note?.text?.value ?? '' }));
  submitted(VIEW.alertReassign, (v) => {
    const to = v.assignee?.counselor?.selected_option?.value;
    return to ? { kind: 'reassign', to } : null;
  });
  submitted(VIEW.alertResolve, (v) => {
    const outcome = v.outcome?.outcome?.selected_option?.value;
    if (!isEscalationOutcome(outcome)) return null;
    const note = v.note?.text?.value?.trim();
    return { kind: 'resolve', outcome, ...(note ? { note } : {}) };
  });
}

/** The state of a submitted modal: block id → action id → value. */
type ViewValues = Record<
  string,
  | Record<string, { value?: string | null; selected_option?: { value?: string } | null } | undefined>
  | undefined
>;
