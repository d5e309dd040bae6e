import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Where the bot may write in Teams without being spoken to first: the conversation reference of every chat or
 * channel it has seen (on install and every activity, the service URL refreshed each time). A staff member's
 * personal chat is named by its id in `staff.teams_conversation`.
 */
export const teamsConversations = sqliteTable(
  'teams_conversations',
  {
    /** Teams conversation id ('a:1Xy…' for a personal chat, '19:…@thread.tacv2' for a channel). */
    id: text('id').primaryKey(),
    /** 'personal', 'channel' or 'groupChat'. */
    kind: text('kind').notNull(),
    /** AAD object id of the person in a personal chat; null for channels and group chats. */
    userAadId: text('user_aad_id'),
    tenantId: text('tenant_id'),
    serviceUrl: text('service_url').notNull(),
    /** The Bot Framework conversation reference as JSON, as the SDK's continueConversation takes it. */
    reference: text('reference', { mode: 'json' }).notNull(),
    /** Set when a send was refused with 403 (app uninstalled or blocked); cleared when they write again. */
    unreachableAt: integer('unreachable_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('teams_conversations_user_idx').on(t.userAadId)],
);
