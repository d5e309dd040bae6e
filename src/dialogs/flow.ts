import type { MessageChoice, MessagePayload } from '../messages.js';
import { lexiconWords, type ParseOption } from './parse.js';
import {
  type AskStep,
  isAskStep,
  isMultiple,
  type Level,
  levelFor,
  optionsOf,
  type Script,
  type ScriptOption,
  SECTIONS,
  type Section,
  type Step,
} from './script.js';
import type { Session } from './session.js';
import type { Effect, ScriptStudent } from './types.js';

// The moving parts shared by start() and resume(): walking steps until a question or the end, asking, and
// finishing students and sessions. A Run mutates its own copy of the session; the caller never sees it.

/** Used when a script forgot a timeout (the checker reports it; the engine still must not hang). */
export const FALLBACK_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** Upper bound on steps walked in one call, so a cyclic script can never loop forever. */
const MAX_STEPS_PER_CALL = 500;

/** One engine call in progress. */
export interface Run {
  script: Script;
  s: Session;
  fx: Effect[];
  now: number;
  level: Level;
}

/** Creates a run over a private copy of the session. */
export function newRun(script: Script, session: Session, now: number): Run {
  const s = structuredClone(session);
  return { script, s, fx: [], now, level: levelFor(script, s.context.programWeek) };
}

/** The student the session is at, when in the student section. */
export function currentStudent(run: Run): ScriptStudent | undefined {
  if (run.s.position.section !== 'student') return undefined;
  return run.s.context.students[run.s.position.studentIndex];
}

/** Where an answer to a step is kept: per student inside the loop. */
export function answerKey(run: Run, stepId: string, section: Section): string {
  const student = section === 'student' ? currentStudent(run) : undefined;
  return student ? `${student.id}/${stepId}` : stepId;
}

function stepParams(run: Run, section: Section): Record<string, string | number> {
  const student = section === 'student' ? currentStudent(run) : undefined;
  if (student) return { name: student.firstName, grade: student.grade };
  return { count: run.s.context.students.length };
}

/** Whether a step is shown to this participant now (scaffolding level, earlier answers, something to show). */
export function visible(run: Run, step: Step, section: Section): boolean {
  if (step.levels && !step.levels.includes(run.level.id)) return false;
  if (step.kind === 'icebreaker' && (run.level.icebreaker !== 'show' || run.script.icebreakers.length === 0))
    return false;
  if (step.kind === 'family_note' && !currentStudent(run)?.familyNote) return false;
  if (step.when) {
    const own = run.s.answers[answerKey(run, step.when.step, section)];
    const value = own !== undefined ? own : run.s.answers[step.when.step];
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (step.when.in && !values.some((v) => step.when?.in?.includes(v))) return false;
    if (step.when.notIn && values.some((v) => step.when?.notIn?.includes(v))) return false;
  }
  return true;
}

/** The step after `step` in its section, honouring a branch target; null ends the section. */
export function following(run: Run, section: Section, step: Step, target?: string): string | null {
  const to = target ?? step.next;
  if (to === 'end') return null;
  if (to) return to;
  const steps = run.script.sections[section];
  const i = steps.findIndex((x) => x.id === step.id);
  return steps[i + 1]?.id ?? null;
}

/** Today's icebreaker key: they rotate by programme week. */
export function icebreakerKey(run: Run): string | undefined {
  const list = run.script.icebreakers;
  if (list.length === 0) return undefined;
  return list[(run.s.context.programWeek - 1) % list.length];
}

function choicesFor(run: Run, step: AskStep): MessageChoice[] {
  const choices: MessageChoice[] = optionsOf(step).map((o) => ({
    id: o.id,
    labelKey: o.labelKey,
    ...(o.params ? { params: o.params } : {}),
  }));
  if (step.optional && run.script.texts.skipLabel)
    choices.push({ id: 'skip', labelKey: run.script.texts.skipLabel });
  if (offersIdea(run, step) && run.script.texts.ideaLabel)
    choices.push({ id: 'idea', labelKey: run.script.texts.ideaLabel });
  return choices;
}

/** Whether this question offers an icebreaker idea at the current level. */
export function offersIdea(run: Run, step: AskStep): boolean {
  return Boolean(step.ideaOnRequest && run.level.icebreaker === 'on_request' && icebreakerKey(run));
}

/** The question as sent: key, params, choices and extra texts (guidance for the level, maybe a hint). */
export function questionPayload(run: Run, step: AskStep, section: Section, hint = false): MessagePayload {
  const extraKeys = [...(step.guidance?.[run.level.id] ?? [])];
  if (hint)
    extraKeys.push(step.hintKey ?? (isMultiple(step) ? run.script.texts.hintMulti : run.script.texts.hint));
  const choices = choicesFor(run, step);
  return {
    key: step.key,
    params: stepParams(run, section),
    ...(choices.length > 0 ? { choices } : {}),
    ...(isMultiple(step) ? { multiple: true } : {}),
    ...(extraKeys.length > 0 ? { extraKeys } : {}),
  };
}

/** Sends a message about the current step. */
export function send(run: Run, stepId: string, message: MessagePayload): void {
  const studentId = currentStudent(run)?.id;
  run.fx.push({ type: 'send', stepId, ...(studentId ? { studentId } : {}), message });
}

/** Waits for a reply to the current question. */
export function wait(run: Run, step: AskStep): void {
  const timeoutMs = step.timeoutMs ?? run.script.defaults.timeoutMs ?? FALLBACK_TIMEOUT_MS;
  run.fx.push({ type: 'wait', stepId: step.id, timeoutMs });
}

/** Asks a question: send it, then wait. */
export function ask(run: Run, step: AskStep, section: Section, hint = false): void {
  run.s.position = { ...run.s.position, section, stepId: step.id };
  run.s.paused = false;
  send(run, step.id, questionPayload(run, step, section, hint));
  wait(run, step);
}

/** The step the session is at, if the script still has it. */
export function currentStep(run: Run): AskStep | undefined {
  const step = run.script.sections[run.s.position.section].find((x) => x.id === run.s.position.stepId);
  return step && isAskStep(step) ? step : undefined;
}

/** Options with their words in the recipient's language (plus the district default, English). */
export function parseOptions(run: Run, options: ScriptOption[]): ParseOption[] {
  return options.map((o) => ({
    id: o.id,
    words: [...wordsFor(run, o.labelKey), ...(o.wordsKey ? wordsFor(run, o.wordsKey) : [])],
  }));
}

/** Words for a key from the lexicon, in the recipient's language and in English. */
export function wordsFor(run: Run, key: string): string[] {
  return lexiconWords(run.script.lexicon, run.s.context.locale, key);
}

function setStatus(run: Run, studentId: string | undefined, status: 'in_progress' | 'completed' | 'skipped') {
  if (run.script.kind === 'family') return;
  if (studentId) run.fx.push({ type: 'checkin_status', studentId, status });
}

/** Begins a student's check-in at the first step of the student section. */
export function beginStudent(run: Run, index: number): string | null {
  const student = run.s.context.students[index]!;
  run.s.position = { section: 'student', stepId: '', studentIndex: index };
  for (const key of Object.keys(run.s.answers))
    if (key.startsWith(`${student.id}/`)) delete run.s.answers[key];
  run.s.students[student.id] = 'in_progress';
  setStatus(run, student.id, 'in_progress');
  return run.script.sections.student[0]?.id ?? null;
}

/** The next student still to do, looking after `from` first and then wrapping round. */
function nextStudent(run: Run, from: number): number | undefined {
  const list = run.s.context.students;
  for (let k = 1; k <= list.length; k++) {
    const i = (from + k) % list.length;
    const st = run.s.students[list[i]!.id];
    if (st === 'pending' || st === 'in_progress') return i;
  }
  return undefined;
}

/** Ends the current student (completed or skipped) and moves to the next one, or to the outro. */
export function finishStudent(run: Run, status: 'completed' | 'skipped'): void {
  const student = currentStudent(run);
  if (student) {
    run.s.students[student.id] = status;
    setStatus(run, student.id, status);
  }
  moveOn(run, run.s.position.studentIndex);
}

function moveOn(run: Run, from: number): void {
  const next = nextStudent(run, from);
  if (next !== undefined) go(run, 'student', beginStudent(run, next));
  else {
    run.s.position = { ...run.s.position, section: 'outro', stepId: '' };
    go(run, 'outro', run.script.sections.outro[0]?.id ?? null);
  }
}

/** The conversation is done. */
export function finish(run: Run, status: 'completed' | 'ended' | 'expired'): void {
  if (status === 'completed' && run.script.kind === 'family')
    run.fx.push({ type: 'checkin_status', status: 'completed' });
  run.s.status = status;
  run.s.paused = false;
  run.fx.push({ type: 'complete' });
}

/**
 * Walks from `stepId` in `section` until a question is asked or the conversation ends. Info steps send and
 * move on; hidden steps (level, condition) are passed over; the end of a section moves to the next section.
 */
export function go(run: Run, section: Section, stepId: string | null): void {
  const sec = section;
  let id = stepId;
  for (let guard = 0; guard < MAX_STEPS_PER_CALL; guard++) {
    if (id === null) {
      if (sec === 'intro') {
        moveOn(run, run.s.context.students.length - 1);
        return;
      }
      if (sec === 'student') {
        finishStudent(run, 'completed');
        return;
      }
      finish(run, 'completed');
      return;
    }
    const step = run.script.sections[sec].find((x) => x.id === id);
    if (!step) {
      run.fx.push({ type: 'error', code: 'script:missing_step', detail: `${sec}/${id}` });
      finish(run, 'ended');
      return;
    }
    run.s.position = { ...run.s.position, section: sec, stepId: step.id };
    if (!visible(run, step, sec)) {
      // A hidden step's own `next` belongs to it being shown; passing over it goes to the following step.
      id = following(run, sec, { ...step, next: undefined });
      continue;
    }
    switch (step.kind) {
      case 'info':
        send(run, step.id, {
          key: step.key,
          params: stepParams(run, sec),
          ...(step.extraKeys ? { extraKeys: step.extraKeys } : {}),
        });
        break;
      case 'icebreaker':
        send(run, step.id, { key: icebreakerKey(run)!, params: stepParams(run, sec) });
        break;
      case 'family_note': {
        const note = currentStudent(run)!.familyNote!;
        send(run, step.id, { key: note.key, ...(note.params ? { params: note.params } : {}) });
        break;
      }
      case 'end':
        id = null;
        continue;
      default:
        run.s.attempts = 0;
        run.s.reminders = 0;
        ask(run, step, sec);
        return;
    }
    id = following(run, sec, step);
  }
  run.fx.push({ type: 'error', code: 'script:loop', detail: `${sec}/${id}` });
  finish(run, 'ended');
}

export { SECTIONS };
