import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { type Locale, SUPPORTED_LOCALES } from './vocabulary.js';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().trim().optional());

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const RawEnv = z.object({
  NODE_ENV: z.preprocess(
    emptyToUndefined,
    z.enum(['development', 'production', 'test']).default('development'),
  ),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  PUBLIC_BASE_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  DATABASE_URL: z.preprocess(emptyToUndefined, z.string().default('file:./data/checkins.db')),
  DATABASE_POOL_SIZE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(200).default(10)),
  DEFAULT_LOCALE: z.preprocess(emptyToUndefined, z.enum(SUPPORTED_LOCALES).default('en')),
  DEFAULT_TIMEZONE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine(isIanaZone, 'must be an IANA time zone such as America/Chicago')
      .default('America/Chicago'),
  ),
  DEFAULT_PHONE_REGION: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as US')
      .default('US'),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  QUIET_HOURS_START: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(23).default(20)),
  QUIET_HOURS_END: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(23).default(8)),
  LARGE_CASELOAD_WARNING: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(20)),
  URGENT_RETRY_HOURS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .positive()
      .max(24 * 14)
      .default(24),
  ),
  RETENTION_MESSAGE_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(365)),
  RETENTION_AUDIT_YEARS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(7)),
  CALENDAR_FILE: z.preprocess(emptyToUndefined, z.string().default('config/calendar.json')),
  CALL_REQUEST_DUE_SCHOOL_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(10).default(2),
  ),
  DASHBOARD_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().trim().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 48)').optional(),
  ),
  DASHBOARD_LINK_HOURS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .positive()
      .max(24 * 7)
      .default(24),
  ),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  MICROSOFT_APP_ID: optionalString,
  MICROSOFT_APP_PASSWORD: optionalString,
  MICROSOFT_APP_TENANT_ID: optionalString,
  MICROSOFT_APP_TYPE: z.preprocess(
    emptyToUndefined,
    z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  ),
  TEAMS_COUNSELOR_CHANNELS: optionalString,
  TWILIO_ACCOUNT_SID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits')
      .optional(),
  ),
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_MESSAGING_SERVICE_SID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, 'must look like MG followed by 32 hex digits')
      .optional(),
  ),
  TWILIO_FROM_NUMBER: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +15551234567')
      .optional(),
  ),
});

export interface SlackConfig {
  botToken: string;
  signingSecret: string;
  /** Set when Socket Mode is used (no public URL needed). */
  appToken?: string;
  /** Web API base URL, for a stand-in of Slack's API (load tests); unset: Slack's own. */
  apiUrl?: string;
}
export interface TeamsConfig {
  appId: string;
  appPassword?: string;
  tenantId?: string;
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  /**
   * School id → the Teams channel (conversation id, '19:…@thread.tacv2') where its counselors get escalation
   * alerts instead of in their personal chats (TEAMS_COUNSELOR_CHANNELS). Empty: personal chats.
   */
  counselorChannels?: Record<string, string>;
}

/**
 * Reads TEAMS_COUNSELOR_CHANNELS: `<school id>=<channel conversation id>` pairs separated by commas, e.g.
 * `LIN=19:abc@thread.tacv2,BAY=19:def@thread.tacv2`. Returns the map and a problem line per bad pair.
 */
function counselorChannels(raw: string | undefined): {
  channels: Record<string, string>;
  problems: string[];
} {
  const channels: Record<string, string> = {};
  const problems: string[] = [];
  const pairs = (raw ?? '').split(',').map((p) => p.trim());
  for (const pair of pairs.filter(Boolean)) {
    const at = pair.indexOf('=');
    const school = at > 0 ? pair.slice(0, at).trim() : '';
    const channel = at > 0 ? pair.slice(at + 1).trim() : '';
    if (!school || !/^19:\S+@thread\.\S+$/.test(channel))
      problems.push(
        `TEAMS_COUNSELOR_CHANNELS: '${pair.slice(0, 80)}' must be <school id>=<channel id such as 19:abc@thread.tacv2>`,
      );
    else channels[school] = channel;
  }
  return { channels, problems };
}
/**
 * What an admin may override of a channel's send rate: SMS limits apply per sending number, Slack and Teams
 * limits per conversation.
 */
export interface ChannelRateSettings {
  perSecond?: number;
  burst?: number;
  /** SMS only: numbers in the Messaging Service pool (default 1). */
  senders?: number;
  /** Teams only: messages per second over all conversations of the tenant (RATE_LIMIT_TEAMS_TENANT_PER_SECOND). */
  tenantPerSecond?: number;
}
/** Send-rate overrides by channel; the relay lays them over the platforms' defaults (`rateLimitsFrom`). */
export type RateLimitSettings = Partial<Record<'sms' | 'slack' | 'teams', ChannelRateSettings>>;

/** How dashboard links are signed and how long they last. */
export interface DashboardConfig {
  /** HMAC-SHA256 key of links and sessions (DASHBOARD_SECRET). */
  secret: string;
  /** True when no DASHBOARD_SECRET was set and a random one was made for this run: links die at restart. */
  secretGenerated: boolean;
  /** How long a signed link (and the session it opens) stays valid (DASHBOARD_LINK_HOURS, default 24 h). */
  linkTtlMs: number;
}

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  messagingServiceSid?: string;
  fromNumber?: string;
}

/** Validated service configuration. Built once by `loadConfig(process.env)` and passed down. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  publicBaseUrl?: string;
  /** Path of the SQLite file, or ':memory:'; empty when the database is PostgreSQL. */
  databasePath: string;
  /** A postgres:// URL: the service runs on PostgreSQL (several instances may share it). */
  postgresUrl?: string;
  /** Connections each instance keeps to PostgreSQL (DATABASE_POOL_SIZE, default 10). */
  databasePoolSize: number;
  defaultLocale: Locale;
  defaultTimezone: string;
  defaultPhoneRegion: string;
  logLevel: string;
  quietHours: { start: number; end: number };
  largeCaseloadWarning: number;
  /** Overrides of the platforms' default send rates (RATE_LIMIT_* keys); empty means the defaults. */
  rateLimits: RateLimitSettings;
  /** How long an urgent message keeps being retried before it is dead (URGENT_RETRY_HOURS, default 24 h). */
  urgentRetryMs: number;
  /** Message bodies are redacted after `messageDays`; audit entries are deleted after `auditYears`. */
  retention: { messageDays: number; auditYears: number };
  /** The school calendar file (breaks, holidays, school hours) that escalation deadlines read (CALENDAR_FILE). */
  calendarFile: string;
  /** School days a navigator has to call back a family that asked for a call (CALL_REQUEST_DUE_SCHOOL_DAYS). */
  callRequestDueSchoolDays: number;
  dashboard: DashboardConfig;
  slack?: SlackConfig;
  teams?: TeamsConfig;
  twilio?: TwilioConfig;
  /** True when no real channel is configured: the local simulator stands in and a demo roster is seeded. */
  localMode: boolean;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The SQLite file of a `file:` URL, or '' for a postgres:// URL. Anything else is refused, naming only the
 * scheme: a URL may carry a password, and a path made from it would put the database somewhere nobody chose.
 */
function databasePathFrom(url: string): string {
  if (url === ':memory:' || url === 'file::memory:') return ':memory:';
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length).trim();
    if (path === '')
      throw new ConfigError(['DATABASE_URL: file: needs a path, e.g. file:./data/checkins.db']);
    return path;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    if (!URL.canParse(url))
      throw new ConfigError([
        'DATABASE_URL: not a valid PostgreSQL URL; use postgres://user:password@host:5432/database',
      ]);
    return '';
  }
  throw new ConfigError([
    `DATABASE_URL: ${scheme ? `${scheme}: URLs are` : 'this value is'} not supported; use a file: URL such as file:./data/checkins.db (SQLite) or postgres://user:password@host/database (PostgreSQL)`,
  ]);
}

/**
 * Reads `RATE_LIMIT_<CHANNEL>_<PER_SECOND|BURST|SENDERS>`: the settings, and a problem line per invalid key.
 * Empty values count as unset.
 */
function rateLimitSettings(env: Record<string, string | undefined>): {
  settings: RateLimitSettings;
  problems: string[];
} {
  const problems: string[] = [];
  const settings: RateLimitSettings = {};
  const read = (key: string, integer: boolean): number | undefined => {
    const raw = env[key]?.trim();
    if (!raw) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      problems.push(`${key}: must be a ${integer ? 'whole number' : 'number'} greater than 0`);
      return undefined;
    }
    return n;
  };
  for (const channel of ['sms', 'slack', 'teams'] as const) {
    const prefix = `RATE_LIMIT_${channel.toUpperCase()}_`;
    const perSecond = read(`${prefix}PER_SECOND`, false);
    const burst = read(`${prefix}BURST`, true);
    const senders = channel === 'sms' ? read(`${prefix}SENDERS`, true) : undefined;
    const tenantPerSecond = channel === 'teams' ? read(`${prefix}TENANT_PER_SECOND`, false) : undefined;
    const entry: ChannelRateSettings = {
      ...(perSecond !== undefined ? { perSecond } : {}),
      ...(burst !== undefined ? { burst } : {}),
      ...(senders !== undefined ? { senders } : {}),
      ...(tenantPerSecond !== undefined ? { tenantPerSecond } : {}),
    };
    if (Object.keys(entry).length) settings[channel] = entry;
  }
  return { settings, problems };
}

/** Checks that a channel's keys are all present or all absent; returns the names of the missing ones. */
function missingKeys(env: Record<string, unknown>, keys: string[]): string[] {
  return keys.filter((k) => env[k] === undefined);
}

/**
 * Validates the environment once. Throws ConfigError naming every missing or invalid key.
 * Example: `loadConfig({ PORT: '8080' })` → local mode on port 8080.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = RawEnv.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];

  let slack: SlackConfig | undefined;
  const slackKeys = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'];
  const anySlack = [...slackKeys, 'SLACK_APP_TOKEN'].some((k) => e[k as keyof typeof e] !== undefined);
  if (anySlack) {
    const missing = missingKeys(e, slackKeys);
    if (missing.length) problems.push(...missing.map((k) => `${k}: required when Slack is configured`));
    else if (!e.SLACK_BOT_TOKEN!.startsWith('xoxb-')) problems.push('SLACK_BOT_TOKEN: must start with xoxb-');
    else if (e.SLACK_APP_TOKEN && !e.SLACK_APP_TOKEN.startsWith('xapp-'))
      problems.push('SLACK_APP_TOKEN: must start with xapp-');
    else
      slack = {
        botToken: e.SLACK_BOT_TOKEN!,
        signingSecret: e.SLACK_SIGNING_SECRET!,
        ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
        ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
      };
  }

  let teams: TeamsConfig | undefined;
  const anyTeams = [
    'MICROSOFT_APP_ID',
    'MICROSOFT_APP_PASSWORD',
    'MICROSOFT_APP_TENANT_ID',
    'MICROSOFT_APP_TYPE',
  ].some((k) => e[k as keyof typeof e] !== undefined);
  if (anyTeams) {
    const appType = e.MICROSOFT_APP_TYPE ?? 'MultiTenant';
    const required = ['MICROSOFT_APP_ID'];
    if (appType !== 'UserAssignedMSI') required.push('MICROSOFT_APP_PASSWORD');
    if (appType !== 'MultiTenant') required.push('MICROSOFT_APP_TENANT_ID');
    const missing = missingKeys(e, required);
    const channels = counselorChannels(e.TEAMS_COUNSELOR_CHANNELS);
    problems.push(...channels.problems);
    if (missing.length)
      problems.push(...missing.map((k) => `${k}: required when Teams is configured (${appType})`));
    else
      teams = {
        appId: e.MICROSOFT_APP_ID!,
        appType,
        counselorChannels: channels.channels,
        ...(e.MICROSOFT_APP_PASSWORD ? { appPassword: e.MICROSOFT_APP_PASSWORD } : {}),
        ...(e.MICROSOFT_APP_TENANT_ID ? { tenantId: e.MICROSOFT_APP_TENANT_ID } : {}),
      };
  }

  let twilio: TwilioConfig | undefined;
  const anyTwilio = [
    'TWILIO_ACCOUNT_SID',
    'TWILIO_AUTH_TOKEN',
    'TWILIO_MESSAGING_SERVICE_SID',
    'TWILIO_FROM_NUMBER',
  ].some((k) => e[k as keyof typeof e] !== undefined);
  if (anyTwilio) {
    const missing = missingKeys(e, ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']);
    problems.push(...missing.map((k) => `${k}: required when Twilio is configured`));
    if (!e.TWILIO_MESSAGING_SERVICE_SID && !e.TWILIO_FROM_NUMBER)
      problems.push(
        'TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER: one is required when Twilio is configured',
      );
    if (!e.PUBLIC_BASE_URL && missing.length === 0)
      problems.push(
        'PUBLIC_BASE_URL: required with Twilio, to check webhook signatures against the public URL',
      );
    if (problems.length === 0)
      twilio = {
        accountSid: e.TWILIO_ACCOUNT_SID!,
        authToken: e.TWILIO_AUTH_TOKEN!,
        ...(e.TWILIO_MESSAGING_SERVICE_SID ? { messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID } : {}),
        ...(e.TWILIO_FROM_NUMBER ? { fromNumber: e.TWILIO_FROM_NUMBER } : {}),
      };
  }

  let databasePath = '';
  try {
    databasePath = databasePathFrom(e.DATABASE_URL);
  } catch (err) {
    if (err instanceof ConfigError) problems.push(...err.problems);
    else throw err;
  }
  // Families may be texted 08:00-20:00 at most; a district may only narrow that window.
  if (!(e.QUIET_HOURS_END >= 8 && e.QUIET_HOURS_END < e.QUIET_HOURS_START && e.QUIET_HOURS_START <= 20))
    problems.push(
      `QUIET_HOURS_END (${e.QUIET_HOURS_END}) and QUIET_HOURS_START (${e.QUIET_HOURS_START}): the sending window must lie within 08:00-20:00 (8 <= END < START <= 20)`,
    );

  const rateLimits = rateLimitSettings(env);
  problems.push(...rateLimits.problems);

  // A secret made at each start would sign out every lead navigator at each deploy and differ between
  // instances: production must name one.
  if (!e.DASHBOARD_SECRET && e.NODE_ENV === 'production')
    problems.push(
      'DASHBOARD_SECRET: required in production to sign dashboard links; set a random value of at least 32 characters (e.g. openssl rand -base64 48)',
    );

  if (problems.length) throw new ConfigError(problems);

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    ...(e.PUBLIC_BASE_URL ? { publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, '') } : {}),
    databasePath,
    ...(databasePath === '' ? { postgresUrl: e.DATABASE_URL } : {}),
    databasePoolSize: e.DATABASE_POOL_SIZE,
    defaultLocale: e.DEFAULT_LOCALE,
    defaultTimezone: e.DEFAULT_TIMEZONE,
    defaultPhoneRegion: e.DEFAULT_PHONE_REGION,
    logLevel: e.LOG_LEVEL,
    quietHours: { start: e.QUIET_HOURS_START, end: e.QUIET_HOURS_END },
    largeCaseloadWarning: e.LARGE_CASELOAD_WARNING,
    rateLimits: rateLimits.settings,
    urgentRetryMs: Math.round(e.URGENT_RETRY_HOURS * 3_600_000),
    retention: { messageDays: e.RETENTION_MESSAGE_DAYS, auditYears: e.RETENTION_AUDIT_YEARS },
    calendarFile: e.CALENDAR_FILE,
    callRequestDueSchoolDays: e.CALL_REQUEST_DUE_SCHOOL_DAYS,
    dashboard: {
      secret: e.DASHBOARD_SECRET ?? randomBytes(32).toString('base64url'),
      secretGenerated: !e.DASHBOARD_SECRET,
      linkTtlMs: Math.round(e.DASHBOARD_LINK_HOURS * 3_600_000),
    },
    ...(slack ? { slack } : {}),
    ...(teams ? { teams } : {}),
    ...(twilio ? { twilio } : {}),
    localMode: !slack && !teams && !twilio,
  };
}

/** Names of the channels that are enabled, for /healthz and the start-up log line. */
export function enabledChannels(config: Config): string[] {
  const channels: string[] = [];
  if (config.slack) channels.push(config.slack.appToken ? 'slack(socket)' : 'slack');
  if (config.teams) channels.push('teams');
  if (config.twilio) channels.push('sms');
  if (config.localMode) channels.push('local');
  return channels;
}
