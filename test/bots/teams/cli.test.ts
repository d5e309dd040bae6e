import { describe, expect, it } from 'vitest';
import { listUnmatched, matchNow } from '../../../src/cli/commands/teams.js';
import { AuditRepository } from '../../../src/store/repositories/audit.js';
import { RosterRepository } from '../../../src/store/repositories/roster.js';
import { TeamsConversationRepository } from '../../../src/store/repositories/teams-conversations.js';
import { CHAT, NAV_AAD, SERVICE_URL, useTeamsHarness } from './harness.js';

const h = useTeamsHarness();

describe('teams unmatched | match', () => {
  it('lists a navigator with no chat with the bot, then links the chat their Teams user opened', async () => {
    const before = await listUnmatched(h.teams.directory);
    expect(before).toContain('nav-1');
    expect(before).toContain('the app is not installed for them');

    // They installed the app before the admin filled teams_user_id: the chat is known, not yet theirs.
    await new TeamsConversationRepository(h.ctx.db).save(
      {
        id: CHAT,
        kind: 'personal',
        userAadId: NAV_AAD,
        tenantId: 'tenant-1',
        serviceUrl: SERVICE_URL,
        reference: { conversation: { id: CHAT }, serviceUrl: SERVICE_URL },
      },
      h.ctx.clock(),
    );
    expect(await listUnmatched(h.teams.directory)).toContain('1 more can be matched now');
    expect((await new RosterRepository(h.ctx.db).staffById('nav-1'))?.teamsConversation).toBeNull();

    expect(await matchNow(h.teams.directory)).toContain('Matched now: 1.');
    expect((await new RosterRepository(h.ctx.db).staffById('nav-1'))?.teamsConversation).toBe(CHAT);
    const audit = await new AuditRepository(h.ctx.db).listFor('staff', 'nav-1');
    expect(audit.find((a) => a.action === 'teams_conversation')?.actor).toBe('cli:teams_match');
    expect(await listUnmatched(h.teams.directory)).toContain('can be reached in Teams');
  });
});
