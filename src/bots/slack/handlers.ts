import type { App, BlockAction, SlashCommand, webApi } from '@slack/bolt';
import type { AppContext } from '../../context.js';
import { safeParseSession } from '../../dialogs/session.js';
import type { DialogInput } from '../../dialogs/types.js';
import type { Texts } from '../../i18n/index.js';
import { localDate } from '../../jobs/period.js';
import type { CheckinOutcome } from '../../services/checkins.js';
import { CheckinRepository } from '../../store/repositories/checkins.js';
import { InboundEventRepository } from '../../store/repositories/inbound.js';
import { RosterRepository, type StaffRow } from '../../store/repositories/roster.js';
import { SlackRepository } from '../../store/repositories/slack.js';
import { caseloadBlocks, type KnownBlock, studentTitle } from './blocks.js';
import { caseloadEntries, navigatorWeek } from './caseload.js';
import { parseCheckinCommand, validateOutOfOffice } from './command.js';
import { slackErrorCode } from './errors.js';
import { canResumeWeek, counselorModal, noteModal, oooModal } from './home.js';
import { ACTION, CounselorMeta, decode, QuestionRef, StudentAction, VIEW } from './ids.js';
import { type LabelKey, label } from './labels.js';
import { queueHome, queueReply } from './own-messages.js';
import { loggableError } from './transport.js';

/** What the Slack adapter needs from the check-in service (CheckinService satisfies it). */
export interface CheckinsPort {
  startNavigator(navigatorId: string, period?: string): CheckinOutcome;
  input(kind: 'navigator', participantId: string, input: DialogInput): CheckinOutcome;
}

export interface HandlerDeps {
  ctx: AppContext;
  texts: Texts;
  checkins: CheckinsPort;
  directory: import('./staff.js').SlackDirectory;
  client: webApi.WebClient;
  /** Registers work that goes on after the acknowledgement. */
  track(p: Promise<unknown>): void;
}

interface AnyBody {
  type?: string;
  event_id?: string;
  trigger_id?: string;
  actions?: { action_id?: string; action_ts?: string }[];
}

/** The id an inbound Slack request is de-duplicated by, or null when it needs none (checkbox toggles). */
export function inboundKey(body: AnyBody): string | null {
  if (body.event_id) return `event:${body.event_id}`;
  const action = body.actions?.[0];
  if (action?.action_id?.startsWith(`${ACTION.pick}.`)) return null;
  if (body.trigger_id) return `${body.type ?? 'request'}:${body.trigger_id}`;
  if (action?.action_ts) return `action:${action.action_ts}`;
  return null;
}

/** Registers every listener; returns what the app object exposes. */
export function registerHandlers(
  app: App,
  deps: HandlerDeps,
): { publishHome(staffId: string): string | null } {
  const { ctx, texts, checkins, directory, client } = deps;
  const inbound = new InboundEventRepository(ctx.db);
  const localeOf = (s: StaffRow) => texts.resolveLocale(s.locale);

  // At most once per event_id / interaction, also when Slack retries (X-Slack-Retry-Num) or two copies race.
  app.use(async (args) => {
    const key = inboundKey(args.body as AnyBody);
    if (key && !inbound.recordOnce('slack', key, ctx.clock())) {
      if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
      ctx.logger.info({ retryNum: args.context.retryNum ?? 0 }, 'slack: duplicate request ignored');
      return;
    }
    const work = args.next();
    deps.track(work);
    try {
      await work;
      if (key) inbound.finish('slack', key, 'processed');
    } catch (err) {
      if (key) inbound.finish('slack', key, 'failed', slackErrorCode(err) ?? 'handler_error');
      ctx.logger.error(loggableError(err), 'slack: handler failed');
    }
  });

  /** Queues an App Home publish; the relay renders and sends it (rate limits and retries apply). */
  const publishHome = (staffId: string): string | null => {
    const member = new RosterRepository(ctx.db).staffById(staffId);
    return member ? queueHome(ctx, member) : null;
  };

  /**
   * A short answer to what someone did. In a channel (a click): an ephemeral message, sent at once because it
   * belongs to that interaction. Otherwise a DM, through the outbox like every other message.
   */
  const tell = async (member: StaffRow | undefined, userId: string, key: LabelKey, channel?: string) => {
    const locale = member ? localeOf(member) : texts.defaultLocale;
    if (channel) await client.chat.postEphemeral({ channel, user: userId, text: label(locale, key) });
    else queueReply(ctx, { member, slackUserId: userId, locale }, key);
  };

  /** Feeds an input; explains the outcome when it went nowhere. */
  const feed = async (member: StaffRow, userId: string, input: DialogInput, channel?: string) => {
    const outcome = checkins.input('navigator', member.id, input);
    if (!outcome.ok) {
      if (outcome.problem === 'checkin:no_active_session')
        await tell(member, userId, 'noActiveCheckin', channel);
      else if (outcome.problem !== 'checkin:conflict') await tell(member, userId, 'problem', channel);
    } else if (outcome.applied.completed || input.kind === 'command') publishHome(member.id);
    return outcome;
  };

  const startOrResume = async (member: StaffRow, userId: string, channel?: string) => {
    const period = navigatorWeek(ctx.db, member, ctx.clock());
    if (!canResumeWeek(ctx.db, member.id, period)) return tell(member, userId, 'weekDone', channel);
    const outcome = checkins.startNavigator(member.id, period);
    if (!outcome.ok)
      await tell(
        member,
        userId,
        outcome.problem === 'checkin:no_students' ? 'noStudents' : 'problem',
        channel,
      );
    publishHome(member.id);
  };

  /** True while the session still waits on the step (and student) a button was rendered for. */
  const isCurrent = (member: StaffRow, ref: QuestionRef) => {
    const row = new CheckinRepository(ctx.db).activeSession(member.id, 'navigator');
    const session = row && row.id === ref.sid ? safeParseSession(row.state) : null;
    if (!session || session.position.stepId !== ref.step) return false;
    if (!ref.st) return true;
    return (
      session.position.section === 'student' &&
      session.context.students[session.position.studentIndex]?.id === ref.st
    );
  };

  const who = async (userId: string, channel?: string) => {
    const member = await directory.staffFor(userId);
    if (!member) await tell(undefined, userId, 'notInRoster', channel);
    return member;
  };

  const answer = async (body: BlockAction, ref: QuestionRef | null, input: DialogInput) => {
    const channel = body.channel?.id;
    const member = await who(body.user.id, channel);
    if (!member || !ref) return;
    if (!isCurrent(member, ref)) return tell(member, body.user.id, 'stale', channel);
    await feed(member, body.user.id, input, channel);
  };

  // --- the check-in card ---------------------------------------------------------------------------
  app.action<BlockAction>(ACTION.choice, async ({ ack, body, action }) => {
    await ack();
    const ref = decode(QuestionRef, 'value' in action ? action.value : undefined);
    if (ref?.c) await answer(body, ref, { kind: 'choice', choiceIds: [ref.c] });
  });

  app.action<BlockAction>(new RegExp(`^${ACTION.pick.replace('.', '\\.')}\\.\\d+$`), async ({ ack }) => {
    await ack();
  });

  app.action<BlockAction>(ACTION.done, async ({ ack, body, action }) => {
    await ack();
    const ref = decode(QuestionRef, 'value' in action ? action.value : undefined);
    const picked: string[] = [];
    for (const block of Object.values(body.state?.values ?? {}))
      for (const [actionId, state] of Object.entries(block))
        if (actionId.startsWith(`${ACTION.pick}.`))
          picked.push(...(state.selected_options ?? []).map((o) => o.value).filter((v): v is string => !!v));
    if (picked.length === 0) {
      const member = await who(body.user.id, body.channel?.id);
      if (member) await tell(member, body.user.id, 'pickThenDone', body.channel?.id);
      return;
    }
    await answer(body, ref, { kind: 'choice', choiceIds: picked });
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
      view: noteModal(localeOf(member), question?.text?.text ?? '', value),
    });
  });

  app.view(VIEW.note, async ({ ack, body, view }) => {
    await ack();
    const member = await who(body.user.id);
    const ref = decode(QuestionRef, view.private_metadata);
    const text = view.state.values.note?.text?.value?.trim();
    if (!member || !ref || !text) return;
    if (!isCurrent(member, ref)) return tell(member, body.user.id, 'stale');
    await feed(member, body.user.id, { kind: 'text', text });
  });

  app.action<BlockAction>(ACTION.stop, async ({ ack, body }) => {
    await ack();
    const member = await who(body.user.id, body.channel?.id);
    if (member) await feed(member, body.user.id, { kind: 'command', command: 'stop' }, body.channel?.id);
  });

  app.action<BlockAction>(ACTION.resume, async ({ ack, body }) => {
    await ack();
    const member = await who(body.user.id, body.channel?.id);
    if (member) await startOrResume(member, body.user.id, body.channel?.id);
  });

  // --- ask a counselor -----------------------------------------------------------------------------
  const openCounselor = async (member: StaffRow, triggerId: string, studentId: string | undefined) => {
    const student = studentId ? new RosterRepository(ctx.db).student(studentId) : undefined;
    const title = student ? studentTitle(localeOf(member), student) : '';
    await client.views.open({
      trigger_id: triggerId,
      view: counselorModal(localeOf(member), title, student?.id),
    });
  };

  app.action<BlockAction>(ACTION.counselor, async ({ ack, body, action }) => {
    await ack();
    const member = await who(body.user.id, body.channel?.id);
    const meta = decode(CounselorMeta, 'value' in action ? action.value : undefined);
    if (member) await openCounselor(member, body.trigger_id, meta?.st);
  });

  app.view(VIEW.counselor, async ({ ack, body, view }) => {
    await ack();
    const member = await who(body.user.id);
    const meta = decode(CounselorMeta, view.private_metadata);
    if (!member) return;
    const note = view.state.values.note?.text?.value?.trim();
    await feed(member, body.user.id, {
      kind: 'command',
      command: 'ask_counselor',
      ...(meta?.st ? { studentId: meta.st } : {}),
      ...(note ? { note } : {}),
    });
  });

  // --- caseload list (weekly prompt, App Home, /checkin status) ---------------------------------------
  app.action<BlockAction>(ACTION.student, async ({ ack, body, action }) => {
    await ack();
    const picked = decode(
      StudentAction,
      'selected_option' in action ? action.selected_option?.value : undefined,
    );
    const member = await who(body.user.id, body.channel?.id);
    if (!member || !picked) return;
    if (picked.a === 'counselor') return openCounselor(member, body.trigger_id, picked.st);
    const command = picked.a === 'goto' ? 'goto_student' : 'skip_student';
    const channel = body.channel?.id;
    if (picked.a === 'goto' && !new CheckinRepository(ctx.db).activeSession(member.id, 'navigator'))
      await startOrResume(member, body.user.id, channel);
    await feed(member, body.user.id, { kind: 'command', command, studentId: picked.st }, channel);
  });

  // --- App Home and out of office ------------------------------------------------------------------
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    const member = await directory.staffFor(event.user);
    if (member) publishHome(member.id);
  });

  app.action<BlockAction>(ACTION.oooSet, async ({ ack, body }) => {
    await ack();
    const member = await who(body.user.id);
    if (!member) return;
    const today = localDate(ctx.clock(), member.timezone);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: oooModal(localeOf(member), member.oooFrom, member.oooTo, today),
    });
  });

  app.view(VIEW.ooo, async ({ ack, body, view }) => {
    // The answer (close, or show date errors in the modal) is due within 3 s: check the dates with what the
    // database knows, and look someone not yet remembered up in Slack only after acknowledging.
    const known = directory.known(body.user.id);
    const from = view.state.values.from?.date?.selected_date ?? undefined;
    const to = view.state.values.to?.date?.selected_date ?? undefined;
    const today = localDate(ctx.clock(), known?.timezone ?? ctx.config.defaultTimezone);
    const result = validateOutOfOffice(from, to, today);
    if (result.kind === 'invalid')
      return ack({
        response_action: 'errors',
        errors: {
          to: label(known ? localeOf(known) : texts.defaultLocale, result.problem, result.params),
        },
      });
    await ack();
    const member = known ?? (await who(body.user.id));
    if (!member) return;
    setOoo(member, result.from, result.to, body.user.id);
    publishHome(member.id);
  });

  app.action<BlockAction>(ACTION.oooClear, async ({ ack, body }) => {
    await ack();
    const member = await who(body.user.id);
    if (!member) return;
    setOoo(member, null, null, body.user.id);
    publishHome(member.id);
  });

  const setOoo = (member: StaffRow, from: string | null, to: string | null, userId: string) =>
    new SlackRepository(ctx.db).setOutOfOffice(member.id, from, to, {
      actor: `slack:${userId}`,
      at: ctx.clock(),
    });

  // --- typed replies in the DM ---------------------------------------------------------------------
  app.event('message', async ({ event, context }) => {
    const m = event as {
      channel_type?: string;
      subtype?: string;
      bot_id?: string;
      user?: string;
      text?: string;
    };
    // Only what a person typed in the bot's DM: not edits, joins, files, other bots or the bot itself.
    if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user || m.user === context.botUserId) return;
    const text = m.text?.trim();
    if (!text) return;
    const member = await who(m.user);
    if (member) await feed(member, m.user, { kind: 'text', text });
  });

  // --- /checkin --------------------------------------------------------------------------------------
  type CommandReply = { response_type: 'ephemeral'; text: string; blocks?: KnownBlock[] };

  /** Runs `/checkin <text>` for a known staff member: the reply, and the work to do after acknowledging. */
  const checkinCommand = (
    member: StaffRow,
    command: SlashCommand,
  ): { reply: CommandReply; after?: () => Promise<unknown> } => {
    const locale = localeOf(member);
    const now = ctx.clock();
    const say = (key: LabelKey, params?: Record<string, string | number>): CommandReply => ({
      response_type: 'ephemeral',
      text: label(locale, key, params),
    });
    const parsed = parseCheckinCommand(command.text ?? '', localDate(now, member.timezone));
    switch (parsed.kind) {
      case 'help':
        return { reply: say('help') };
      case 'invalid':
        return { reply: say(parsed.problem, parsed.params) };
      case 'status': {
        const period = navigatorWeek(ctx.db, member, now);
        const entries = caseloadEntries(ctx.db, texts, { navigatorId: member.id, period, locale, now });
        const blocks = caseloadBlocks(locale, period, entries, {
          canResume: canResumeWeek(ctx.db, member.id, period),
        });
        return { reply: { ...say('weekHeading', { period }), blocks } };
      }
      case 'ooo':
        setOoo(member, parsed.from, parsed.to, command.user_id);
        publishHome(member.id);
        return { reply: say('oooSaved', { from: parsed.from, to: parsed.to }) };
      case 'ooo_off':
        setOoo(member, null, null, command.user_id);
        publishHome(member.id);
        return { reply: say('oooCleared') };
      case 'start':
        return {
          reply: say('starting'),
          after: () => startOrResume(member, command.user_id, command.channel_id),
        };
    }
  };

  app.command('/checkin', async ({ ack, command, respond }) => {
    const known = directory.known(command.user_id);
    if (known) {
      const { reply, after } = checkinCommand(known, command);
      await ack(reply);
      if (after) await after();
      return;
    }
    // Not remembered yet: finding them by their Slack profile email may take longer than Slack waits, so
    // acknowledge first and answer through the command's response_url.
    await ack();
    const member = await directory.staffFor(command.user_id);
    if (!member) {
      await respond({ response_type: 'ephemeral', text: label(texts.defaultLocale, 'notInRoster') });
      return;
    }
    const { reply, after } = checkinCommand(member, command);
    await respond(reply);
    if (after) await after();
  });

  app.error(async (err) => {
    ctx.logger.error({ code: (err as { code?: string }).code ?? 'error' }, 'slack: unhandled error');
  });

  return { publishHome };
}
