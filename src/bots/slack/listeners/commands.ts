import type { App, SlashCommand } from '@slack/bolt';
import { type StaffKey, staffText } from '../../../i18n/staff.js';
import type { StaffMember } from '../../../services/staff-directory.js';
import { caseloadEntry } from '../../chat/caseload.js';
import { caseloadBlocks, type KnownBlock } from '../blocks.js';
import { parseCheckinCommand } from '../command.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import type { ListenerDeps, Replies } from '../replies.js';

type CommandReply = { response_type: 'ephemeral'; text: string; blocks?: KnownBlock[] };

/** `/checkin` (start or resume, status, out of office, help). */
export function registerCommands(app: App, deps: ListenerDeps, replies: Replies): void {
  const { texts, conversation, outOfOffice, directory } = deps;

  /** Runs `/checkin <text>` for a known staff member: the reply, and the work to do after acknowledging. */
  const checkinCommand = async (
    member: StaffMember,
    command: SlashCommand,
  ): Promise<{ reply: CommandReply; after?: () => Promise<unknown> }> => {
    const locale = replies.localeOf(member);
    const actor = `slack:${command.user_id}`;
    const say = (key: StaffKey, params?: Record<string, string | number>): CommandReply => ({
      response_type: 'ephemeral',
      text: escapeMrkdwn(staffText(locale, key, params)),
    });
    const parsed = parseCheckinCommand(command.text ?? '', outOfOffice.today(member));
    switch (parsed.kind) {
      case 'help':
        return { reply: say('help') };
      case 'invalid':
        return { reply: say(parsed.problem, parsed.params) };
      case 'status': {
        const week = await conversation.caseload(member);
        const entries = week.students.map((s) => caseloadEntry(texts, locale, s));
        const blocks = caseloadBlocks(locale, week.period, entries, { canResume: week.canResume });
        return { reply: { ...say('weekHeading', { period: week.period }), blocks } };
      }
      case 'ooo':
        await outOfOffice.set(member, parsed.from, parsed.to, actor);
        await replies.publishHome(member.id);
        return { reply: say('oooSaved', { from: parsed.from, to: parsed.to }) };
      case 'ooo_off':
        await outOfOffice.clear(member, actor);
        await replies.publishHome(member.id);
        return { reply: say('oooCleared') };
      case 'start':
        return {
          reply: say('starting'),
          after: async () =>
            replies.show(
              member,
              command.user_id,
              await conversation.startOrResume(member),
              command.channel_id,
            ),
        };
    }
  };

  app.command('/checkin', async ({ ack, command, respond }) => {
    const known = await directory.known(command.user_id);
    if (known) {
      const { reply, after } = await checkinCommand(known, command);
      await ack(reply);
      if (after) await after();
      return;
    }
    // Not remembered yet: finding them by their Slack profile email may take longer than Slack waits, so
    // acknowledge first and answer through the command's response_url.
    await ack();
    const member = await directory.staffFor(command.user_id);
    if (!member) {
      await respond({
        response_type: 'ephemeral',
        text: escapeMrkdwn(staffText(texts.defaultLocale, 'notInRoster')),
      });
      return;
    }
    const { reply, after } = await checkinCommand(member, command);
    await respond(reply);
    if (after) await after();
  });
}
