import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, errorName, maskPhones } from '../../src/lib/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logger', () => {
  it('redacts bodies, phones, tokens and signatures in structured fields', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        phone: '+15551234567',
        body: 'we need food',
        token: 'xoxb-secret',
        msg2: { to: '+15551230000' },
        id: 'g1',
      },
      'sent',
    );
    const out = lines.join('');
    expect(out).not.toContain('+15551234567');
    expect(out).not.toContain('we need food');
    expect(out).not.toContain('xoxb-secret');
    expect(out).not.toContain('+15551230000');
    expect(out).toContain('"id":"g1"');
  });

  it('masks phone numbers inside message strings', () => {
    const { lines, logger } = capture();
    logger.warn('no guardian for +1 (555) 123-4567');
    expect(lines.join('')).not.toContain('123-4567');
    expect(maskPhones('call +15551234567 now')).toBe('call **********67 now');
  });
});

describe('errorName', () => {
  it("names the error's class and the short code it or its cause carries, never its message", () => {
    const pgError = Object.assign(new Error('could not serialize access, key (+15551234567)'), {
      code: '40001',
    });
    const wrapped = new Error('Failed query: insert into family_texts values ($1) params: we need food', {
      cause: pgError,
    });
    wrapped.name = 'DrizzleQueryError';
    expect(errorName(wrapped)).toBe('DrizzleQueryError 40001');
    expect(errorName(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      'Error ECONNRESET',
    );
    // A "code" that is really a sentence is not a code.
    expect(errorName(Object.assign(new TypeError('x'), { code: 'we need food' }))).toBe('TypeError');
    expect(errorName('boom')).toBe('error');
  });
});
