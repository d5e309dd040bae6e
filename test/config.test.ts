import { describe, expect, it } from 'vitest';
import { ConfigError, enabledChannels, loadConfig } from '../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const twilioOk = {
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'secret',
  TWILIO_FROM_NUMBER: '+15005550006',
  PUBLIC_BASE_URL: 'https://bot.example.org',
};

describe('loadConfig', () => {
  it('runs in local mode with defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.localMode).toBe(true);
    expect(c.port).toBe(3000);
    expect(c.databasePath).toBe('./data/checkins.db');
    expect(c.defaultLocale).toBe('en');
    expect(enabledChannels(c)).toEqual(['local']);
  });

  it('treats empty strings as unset', () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: '', PORT: '' });
    expect(c.localMode).toBe(true);
    expect(c.port).toBe(3000);
  });

  it('names each missing key of a half-configured Twilio', () => {
    expect(problemsOf({ TWILIO_ACCOUNT_SID: twilioOk.TWILIO_ACCOUNT_SID })).toEqual([
      'TWILIO_AUTH_TOKEN: required when Twilio is configured',
      'TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER: one is required when Twilio is configured',
    ]);
  });

  it('requires PUBLIC_BASE_URL with Twilio, for signature checks', () => {
    const { PUBLIC_BASE_URL: _, ...rest } = twilioOk;
    expect(problemsOf(rest)).toEqual([
      'PUBLIC_BASE_URL: required with Twilio, to check webhook signatures against the public URL',
    ]);
  });

  it('enables Twilio when complete and leaves local mode', () => {
    const c = loadConfig(twilioOk);
    expect(c.twilio?.fromNumber).toBe('+15005550006');
    expect(c.localMode).toBe(false);
    expect(enabledChannels(c)).toEqual(['sms']);
  });

  it('rejects invalid values with the key name', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DEFAULT_LOCALE: 'xx',
      DEFAULT_TIMEZONE: 'Mars/Olympus',
      TWILIO_ACCOUNT_SID: 'nope',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'PORT',
      'DEFAULT_LOCALE',
      'DEFAULT_TIMEZONE',
      'TWILIO_ACCOUNT_SID',
    ]);
  });

  it('requires both Slack keys and checks token prefixes', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual([
      'SLACK_SIGNING_SECRET: required when Slack is configured',
    ]);
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxp-1', SLACK_SIGNING_SECRET: 's' })).toEqual([
      'SLACK_BOT_TOKEN: must start with xoxb-',
    ]);
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_APP_TOKEN: 'xapp-1' });
    expect(enabledChannels(c)).toEqual(['slack(socket)']);
  });

  it('requires a tenant id for single-tenant Teams bots', () => {
    expect(
      problemsOf({
        MICROSOFT_APP_ID: 'id',
        MICROSOFT_APP_PASSWORD: 'pw',
        MICROSOFT_APP_TYPE: 'SingleTenant',
      }),
    ).toEqual(['MICROSOFT_APP_TENANT_ID: required when Teams is configured (SingleTenant)']);
    expect(problemsOf({ MICROSOFT_APP_ID: 'id' })).toEqual([
      'MICROSOFT_APP_PASSWORD: required when Teams is configured (MultiTenant)',
    ]);
  });

  it('takes a PostgreSQL URL as the database to share, and accepts :memory:', () => {
    const pg = loadConfig({
      DATABASE_URL: 'postgres://u:pw@db.example:5432/checkins',
      DATABASE_POOL_SIZE: '4',
    });
    expect(pg.postgresUrl).toBe('postgres://u:pw@db.example:5432/checkins');
    expect(pg.databasePath).toBe('');
    expect(pg.databasePoolSize).toBe(4);
    expect(problemsOf({ DATABASE_URL: 'postgres://[' })).toEqual([
      'DATABASE_URL: not a valid PostgreSQL URL; use postgres://user:password@host:5432/database',
    ]);
    expect(loadConfig({ DATABASE_URL: ':memory:' }).databasePath).toBe(':memory:');
    expect(loadConfig({ DATABASE_URL: ':memory:' }).postgresUrl).toBeUndefined();
  });

  it('accepts only file: and postgres: URLs, never echoing a password, and refuses an empty path', () => {
    const [mysql] = problemsOf({ DATABASE_URL: 'mysql://u:pw-secret@host/x' });
    expect(mysql).toBe(
      'DATABASE_URL: mysql: URLs are not supported; use a file: URL such as file:./data/checkins.db (SQLite) or postgres://user:password@host/database (PostgreSQL)',
    );
    expect(problemsOf({ DATABASE_URL: 'mysql://u:pw-secret@host/x' }).join()).not.toContain('pw-secret');
    expect(problemsOf({ DATABASE_URL: 'postgresql://u:pw-secret@[host/x' }).join()).not.toContain(
      'pw-secret',
    );
    expect(problemsOf({ DATABASE_URL: 'data/checkins.db' })[0]).toMatch(
      /^DATABASE_URL: this value is not supported/,
    );
    expect(problemsOf({ DATABASE_URL: 'file:' })).toEqual([
      'DATABASE_URL: file: needs a path, e.g. file:./data/checkins.db',
    ]);
    expect(loadConfig({ DATABASE_URL: 'file:./x.db' }).databasePath).toBe('./x.db');
  });

  it('keeps urgent messages trying for 24 hours unless URGENT_RETRY_HOURS says otherwise', () => {
    expect(loadConfig({}).urgentRetryMs).toBe(24 * 3_600_000);
    expect(loadConfig({ URGENT_RETRY_HOURS: '48' }).urgentRetryMs).toBe(48 * 3_600_000);
    expect(problemsOf({ URGENT_RETRY_HOURS: '0' })[0]).toMatch(/^URGENT_RETRY_HOURS/);
  });

  it('allows a stricter quiet-hours window but never a wider one', () => {
    expect(loadConfig({ QUIET_HOURS_END: '9', QUIET_HOURS_START: '19' }).quietHours).toEqual({
      start: 19,
      end: 9,
    });
    for (const [end, start] of [
      ['5', '23'],
      ['2', '10'],
      ['8', '21'],
      ['12', '12'],
      ['18', '10'],
    ]) {
      expect(problemsOf({ QUIET_HOURS_END: end!, QUIET_HOURS_START: start! })[0]).toMatch(
        /^QUIET_HOURS_END .* within 08:00-20:00/,
      );
    }
  });
});

describe('send-rate overrides', () => {
  it('reads RATE_LIMIT_* keys and names the invalid ones', () => {
    const env = {
      RATE_LIMIT_SMS_PER_SECOND: '3',
      RATE_LIMIT_SMS_SENDERS: '2',
      RATE_LIMIT_SLACK_PER_SECOND: '',
    };
    expect(loadConfig(env).rateLimits).toEqual({ sms: { perSecond: 3, senders: 2 } });
    expect(problemsOf({ ...env, RATE_LIMIT_TEAMS_BURST: '1.5', RATE_LIMIT_SLACK_BURST: '-1' })).toEqual([
      'RATE_LIMIT_SLACK_BURST: must be a whole number greater than 0',
      'RATE_LIMIT_TEAMS_BURST: must be a whole number greater than 0',
    ]);
  });
});
