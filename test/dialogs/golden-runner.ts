import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { resume, start } from '../../src/dialogs/engine.js';
import type { Script } from '../../src/dialogs/script.js';
import { parseSession, type Session } from '../../src/dialogs/session.js';
import type { DialogContext, DialogInput, Effect, ScriptStudent } from '../../src/dialogs/types.js';
import { getScript } from '../../src/scripts/index.js';

// Golden transcripts: a header (script, locale, week, students), then input lines and the effects they must
// produce, one effect a line, indented. `GOLDEN_UPDATE=1 npx vitest run test/dialogs` rewrites the expected
// lines from the engine (review the diff before committing).
//
//   start                      > typed text             [choice a b]   [timeout]   [remind]   [expire]
//   [stop] [resume]            [skip_student S2]        [goto_student S2]          [ask_counselor S1 a note]
//   [restart]  (session → JSON → parseSession)          [script v2] / [script drop <stepId>] (script edited)
//   session <status> [paused]  (asserts the session's state at that point)

const HOUR = 3_600_000;

/** One effect as a short readable line. */
export function describe(e: Effect): string {
  const at = (id?: string) => (id ? ` @${id}` : '');
  switch (e.type) {
    case 'send': {
      const m = e.message;
      const params = Object.entries(m.params ?? {})
        .map(([k, v]) => `${k}=${typeof v === 'object' ? `{${v.key}}` : v}`)
        .join(' ');
      const extras = m.extraKeys ? ` +${m.extraKeys.join(',')}` : '';
      const choices = m.choices ? ` [${m.choices.map((c) => c.id).join('|')}]${m.multiple ? '*' : ''}` : '';
      return `send ${e.stepId}${at(e.studentId)} ${m.key}${extras}${params ? ` ${params}` : ''}${choices}`;
    }
    case 'wait':
      return `wait ${e.stepId} ${e.timeoutMs / HOUR}h`;
    case 'record_answer':
      return `answer ${e.stepId}${at(e.studentId)} = ${JSON.stringify(e.value)}${e.rawText !== undefined ? ` raw=${JSON.stringify(e.rawText)}` : ''}`;
    case 'record_need':
      return `need${at(e.studentId)} ${e.area} ${e.severity}${e.note ? ` note=${JSON.stringify(e.note)}` : ''}`;
    case 'record_strength':
      return `strength${at(e.studentId)} ${e.kind} ${JSON.stringify(e.text)}`;
    case 'escalate':
      return `escalate${at(e.studentId)} ${e.trigger}${e.urgent ? ' urgent' : ''}${e.note ? ` note=${JSON.stringify(e.note)}` : ''}`;
    case 'checkin_status':
      return `status ${e.studentId ? `@${e.studentId}` : 'family'} ${e.status}`;
    case 'complete':
      return 'complete';
    case 'error':
      return `error ${e.code}${e.detail ? ` ${e.detail}` : ''}`;
  }
}

function parseInput(line: string): DialogInput | 'restart' | { script: string[] } {
  if (line.startsWith('> ')) return { kind: 'text', text: line.slice(2) };
  const [word, ...rest] = line.slice(1, -1).split(' ');
  switch (word) {
    case 'choice':
      return { kind: 'choice', choiceIds: rest };
    case 'timeout':
    case 'remind':
    case 'expire':
      return { kind: word };
    case 'restart':
      return 'restart';
    case 'script':
      return { script: rest };
    case 'stop':
    case 'resume':
    case 'skip_student':
    case 'goto_student':
    case 'ask_counselor': {
      const [studentId, ...note] = rest;
      return {
        kind: 'command',
        command: word,
        ...(studentId ? { studentId } : {}),
        ...(note.length ? { note: note.join(' ') } : {}),
      };
    }
    default:
      throw new Error(`unknown input line: ${line}`);
  }
}

/** A script edited after sessions started: a new version, maybe without one step. */
export function editedScript(script: Script, change: string[]): Script {
  const [what, stepId] = change;
  const version = script.version + 1;
  if (what === 'v2') return { ...script, version };
  if (what === 'drop' && stepId) {
    const sections = Object.fromEntries(
      Object.entries(script.sections).map(([k, steps]) => [k, steps.filter((s) => s.id !== stepId)]),
    ) as Script['sections'];
    return { ...script, version, sections };
  }
  throw new Error(`unknown script change: ${change.join(' ')}`);
}

function header(lines: string[]): { script: Script; context: DialogContext } {
  let scriptId = '';
  let locale = 'en';
  let week = 1;
  const students: ScriptStudent[] = [];
  for (const line of lines) {
    const [k, ...v] = line.split(' ');
    if (k === 'script') scriptId = v[0]!;
    if (k === 'locale') locale = v[0]!;
    if (k === 'week') week = Number(v[0]);
    if (k === 'student') students.push({ id: v[0]!, firstName: v[1]!, grade: v[2] ?? '5' });
    if (k === 'note') {
      const s = students.find((x) => x.id === v[0]);
      const params = Object.fromEntries(v.slice(2).map((p) => p.split('=') as [string, string]));
      if (s) s.familyNote = { key: v[1]!, params };
    }
  }
  const script = getScript(scriptId);
  return {
    script,
    context: {
      kind: script.kind,
      participantId: 'P-1',
      locale,
      period: '2026-W48',
      programWeek: week,
      students,
    },
  };
}

const isInput = (l: string) => l === 'start' || l.startsWith('> ') || /^\[.*\]$/.test(l);

/** Runs one golden file; with GOLDEN_UPDATE=1 rewrites its expected lines instead of comparing. */
export function runGolden(path: string): void {
  const raw = readFileSync(path, 'utf8').split('\n');
  const firstInput = raw.indexOf('start');
  const { script: base, context } = header(raw.slice(0, firstInput));
  let script = base;
  let session: Session | undefined;
  const out: string[] = raw.slice(0, firstInput);
  const expected: string[] = [];
  const actual: string[] = [];
  let now = Date.parse('2026-11-23T15:00:00Z');

  for (const line of raw.slice(firstInput)) {
    if (line.startsWith('  ')) {
      expected.push(line.trim());
      continue;
    }
    if (line.startsWith('session ')) {
      const [, status, paused] = line.split(' ');
      expect(session?.status, `${path}: ${line}`).toBe(status);
      expect(session?.paused, `${path}: ${line}`).toBe(paused === 'paused');
      out.push(line);
      continue;
    }
    if (!isInput(line)) {
      out.push(line);
      continue;
    }
    out.push(line);
    now += 60_000;
    let effects: Effect[] = [];
    if (line === 'start') ({ session, effects } = start(script, context, now));
    else {
      const input = parseInput(line);
      if (input === 'restart') session = parseSession(JSON.parse(JSON.stringify(session)));
      else if ('script' in input) script = editedScript(script, input.script);
      else ({ session, effects } = resume(script, session!, input, now));
    }
    const lines = effects.map(describe);
    actual.push(`${line}`, ...lines);
    out.push(...lines.map((l) => `  ${l}`));
    expected.push(line);
    // Whenever an answer is expected, the last thing the shell hears is a wait (so a timer is set).
    if (session?.status === 'active' && !session.paused && effects.length > 0)
      expect(effects.at(-1)?.type, `${path}: ${line} must end with a wait`).toBe('wait');
  }
  while (out.at(-1) === '') out.pop();
  if (process.env.GOLDEN_UPDATE) writeFileSync(path, `${out.join('\n')}\n`);
  else expect(actual.join('\n')).toBe(expected.filter((l) => l !== '').join('\n'));
}
