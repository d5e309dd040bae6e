import type { AppContext } from '../context.js';
import {
  type TeamsConversationInput,
  TeamsConversationRepository,
  type TeamsConversationRow,
} from '../store/repositories/teams-conversations.js';

export type { TeamsConversationInput } from '../store/repositories/teams-conversations.js';
/** A remembered Teams conversation: its reference, and since when the bot may not write there (403). */
export type TeamsConversation = TeamsConversationRow;

/**
 * Where the bot can write in Teams. Teams gives a conversation reference (with its service URL, which may
 * move) only when someone installs the app or writes; it is remembered every time so weekly prompts and
 * escalation alerts can be sent proactively.
 */
export class TeamsConversations {
  constructor(private readonly ctx: AppContext) {}

  /**
   * Remembers the reference an activity carried. For a staff member's personal chat with the bot, the chat
   * becomes the one they are reached in (audit-logged as `actor`).
   */
  remember(input: TeamsConversationInput, staffId: string | undefined, actor: string): Promise<void> {
    const at = this.ctx.clock();
    return this.ctx.db.transaction(async (tx) => {
      const repo = new TeamsConversationRepository(tx);
      await repo.save(input, at);
      if (staffId && input.kind === 'personal') await repo.linkStaff(staffId, input.id, { actor, at });
    });
  }

  byId(conversationId: string): Promise<TeamsConversation | undefined> {
    return new TeamsConversationRepository(this.ctx.db).byId(conversationId);
  }

  /**
   * Names the personal chat of a Teams user the staff member has been matched to (an admin filled
   * teams_user_id after they had installed the app). Returns false when that user has no chat with the bot.
   */
  linkPersonalChat(staffId: string, userAadId: string, actor: string): Promise<boolean> {
    const at = this.ctx.clock();
    return this.ctx.db.transaction(async (tx) => {
      const repo = new TeamsConversationRepository(tx);
      const chat = await repo.personalChatOf(userAadId);
      if (!chat) return false;
      await repo.linkStaff(staffId, chat.id, { actor, at });
      return true;
    });
  }

  /** True when a Teams user (AAD object id) has a personal chat with the bot that it may write to. */
  async hasPersonalChat(userAadId: string): Promise<boolean> {
    return Boolean(await new TeamsConversationRepository(this.ctx.db).personalChatOf(userAadId));
  }

  /**
   * Teams refused a send for good (403: the app was uninstalled or blocked). The conversation is marked, and
   * a staff member stops being routed to Teams until they write to the bot again.
   */
  unreachable(conversationId: string, staffId: string | undefined): Promise<void> {
    const at = this.ctx.clock();
    return this.ctx.db.transaction(async (tx) => {
      const repo = new TeamsConversationRepository(tx);
      await repo.markUnreachable(conversationId, at);
      if (staffId) await repo.unlinkStaff(staffId, conversationId, { actor: 'teams:forbidden', at });
    });
  }
}
