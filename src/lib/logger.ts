import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Keys whose values never reach the log: message bodies, phone numbers, tokens, signatures, notes.
 * Log ids (guardian id, outbox id) instead of the values themselves.
 */
const REDACT_KEYS = [
  'body',
  'Body',
  'text',
  'note',
  'phone',
  'address',
  'From',
  'To',
  'from',
  'to',
  'token',
  'authToken',
  'botToken',
  'appToken',
  'appPassword',
  'password',
  'signingSecret',
  'signature',
  'authorization',
  'Authorization',
  'x-twilio-signature',
  'x-slack-signature',
];

export const REDACT_PATHS = [
  ...REDACT_KEYS,
  ...REDACT_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-slack-signature"]',
];

const PHONE_LIKE = /\+?\d[\d\s().-]{7,}\d/g;

/** Masks anything that looks like a phone number inside a free-text log message. */
export function maskPhones(message: string): string {
  return message.replace(PHONE_LIKE, (m) => `${'*'.repeat(Math.max(0, m.length - 2))}${m.slice(-2)}`);
}

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          // Mask phone numbers in the message string itself; structured fields are covered by `redact`.
          const masked = args.map((a) => (typeof a === 'string' ? maskPhones(a) : a)) as typeof args;
          method.apply(this, masked);
        },
      },
    },
    options.destination,
  );
}

/**
 * What of an error may be logged: its class name, and the short code it or its cause carries (a database's
 * SQLSTATE such as 40001, a system error such as ECONNRESET). Its message can hold a query's parameters, a
 * family's words or a phone number. Example: `logger.error({ err: errorName(err) }, 'relay: send failed')`
 * logs `DrizzleQueryError 40001`.
 */
export function errorName(err: unknown): string {
  if (!(err instanceof Error)) return 'error';
  let cause: unknown = err;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++, cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return `${err.name} ${code}`;
  }
  return err.name;
}
