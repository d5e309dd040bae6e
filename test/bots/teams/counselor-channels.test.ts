import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

const TEAMS = { MICROSOFT_APP_ID: 'app-1', MICROSOFT_APP_PASSWORD: 'secret' };

describe('TEAMS_COUNSELOR_CHANNELS', () => {
  it('maps schools to the Teams channels their counselors share', () => {
    const config = loadConfig({
      ...TEAMS,
      TEAMS_COUNSELOR_CHANNELS: ' LIN=19:abc123@thread.tacv2 , BAY=19:def456@thread.tacv2',
    });
    expect(config.teams?.counselorChannels).toEqual({
      LIN: '19:abc123@thread.tacv2',
      BAY: '19:def456@thread.tacv2',
    });
    expect(loadConfig(TEAMS).teams?.counselorChannels).toEqual({});
  });

  it('refuses a pair that names no school or no channel id', () => {
    for (const bad of [
      '19:abc@thread.tacv2',
      'LIN=',
      'LIN=General',
      'LIN=https://teams.microsoft.com/l/channel',
    ])
      expect(() => loadConfig({ ...TEAMS, TEAMS_COUNSELOR_CHANNELS: bad }), bad).toThrow(ConfigError);
  });
});
