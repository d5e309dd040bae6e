import {
  answerKey,
  ask,
  beginStudent,
  currentStep,
  currentStudent,
  finish,
  finishStudent,
  following,
  go,
  icebreakerKey,
  newRun,
  offersIdea,
  parseOptions,
  questionPayload,
  type Run,
  send,
  visible,
  wait,
  wordsFor,
} from './flow.js';
import { inferableNeedOptions, needsBranch, readNeedWords } from './needs.js';
import { maskPhrases, normalizeText, type ParsedReply, parseReply } from './parse.js';
import { type AskStep, findStep, isAskStep, isMultiple, optionsOf, type Script } from './script.js';
import type { Session } from './session.js';
import type { DialogContext, DialogInput, Effect } from './types.js';

// The pure dialog engine: (script, session, input, now) → (next session, effects). No SDK, database, clock or
// i18next: the shell stores the session, applies the effects in one transaction and sets the timers.

/** The engine's answer: the next session and what the shell must do. */
export interface EngineResult {
  session: Session;
  effects: Effect[];
}

/**
 * Starts a conversation. Example: `start(getScript('family-weekly'), context, now)` → the first question
 * (send + wait) and, for a family, `checkin_status in_progress`.
 */
export function start(script: Script, context: DialogContext, now: number): EngineResult {
  const session: Session = {
    scriptId: script.id,
    scriptVersion: script.version,
    status: 'active',
    version: 1,
    context,
    position: { section: 'intro', stepId: '', studentIndex: 0 },
    paused: false,
    answers: {},
    students: Object.fromEntries(context.students.map((s) => [s.id, 'pending' as const])),
    attempts: 0,
    reminders: 0,
    needsRecorded: [],
    startedAt: now,
    updatedAt: now,
  };
  const run = newRun(script, session, now);
  if (script.kind === 'family') run.fx.push({ type: 'checkin_status', status: 'in_progress' });
  go(run, 'intro', script.sections.intro[0]?.id ?? null);
  return { session: run.s, effects: run.fx };
}

/**
 * Continues a conversation with one input. Never throws for anything a person or a timer can do: inputs a
 * closed session cannot take come back as an `error` effect and the session unchanged.
 */
export function resume(script: Script, session: Session, input: DialogInput, now: number): EngineResult {
  if (session.scriptId !== script.id) return unchanged(session, 'script:mismatch', script.id);
  // A planned reminder racing the end of a conversation is routine, not a problem.
  if (session.status !== 'active' && input.kind === 'remind') return { session, effects: [] };
  if (session.status !== 'active') return unchanged(session, 'session:not_active', session.status);
  const run = newRun(script, session, now);

  if (session.scriptVersion !== script.version) {
    const found = findStep(script, session.position.stepId);
    if (!found || found.section !== session.position.section || !currentStep(run)) {
      run.fx.push({ type: 'error', code: 'script:step_removed', detail: session.position.stepId });
      finish(run, 'ended');
      return done(run);
    }
    run.s.scriptVersion = script.version;
  }

  switch (input.kind) {
    case 'expire':
      expire(run);
      break;
    case 'timeout':
      if (session.paused) return { session, effects: [] };
      timeout(run);
      break;
    case 'remind':
      remind(run);
      break;
    case 'command':
      command(run, input);
      break;
    default:
      reply(run, input);
  }
  return done(run);
}

function unchanged(session: Session, code: string, detail: string): EngineResult {
  return { session, effects: [{ type: 'error', code, detail }] };
}

/** Bumps the version; a still-active, unpaused session always ends with a wait so its timer is current. */
function done(run: Run): EngineResult {
  if (run.s.status === 'active' && !run.s.paused && !run.fx.some((e) => e.type === 'wait')) {
    const step = currentStep(run);
    if (step) wait(run, step);
  }
  run.s.version += 1;
  run.s.updatedAt = run.now;
  return { session: run.s, effects: run.fx };
}

function expire(run: Run): void {
  if (run.script.kind === 'family') run.fx.push({ type: 'checkin_status', status: 'missed' });
  else
    for (const student of run.s.context.students) {
      const st = run.s.students[student.id];
      if (st === 'pending' || st === 'in_progress')
        run.fx.push({ type: 'checkin_status', studentId: student.id, status: 'missed' });
    }
  finish(run, 'expired');
}

function timeout(run: Run): void {
  const step = currentStep(run);
  if (!step) return;
  const path = step.onTimeout ?? run.script.defaults.onTimeout ?? { remind: 0, after: 'pause' };
  if (run.s.reminders < path.remind) {
    run.s.reminders += 1;
    sendReminder(run, step);
  } else if (path.after === 'next') {
    go(run, run.s.position.section, following(run, run.s.position.section, step));
  } else run.s.paused = true;
}

/**
 * A scheduled nudge: the reminder and the current question again, also after the step's own reminders paused
 * the session. It leaves the step's reminder count alone, so an unanswered nudge pauses again at its timeout.
 */
function remind(run: Run): void {
  const step = currentStep(run);
  if (!step) return;
  run.s.paused = false;
  sendReminder(run, step);
}

/** Sends the script's reminder with the current question under it, then waits. */
function sendReminder(run: Run, step: AskStep): void {
  const question = questionPayloadFor(run, step);
  send(run, step.id, {
    ...question,
    key: run.script.texts.reminder,
    extraKeys: [step.key, ...(question.extraKeys ?? [])],
  });
  wait(run, step);
}

function questionPayloadFor(run: Run, step: AskStep) {
  return questionPayload(run, step, run.s.position.section);
}

function command(run: Run, input: Extract<DialogInput, { kind: 'command' }>): void {
  const list = run.s.context.students;
  const targetIndex = input.studentId ? list.findIndex((s) => s.id === input.studentId) : -1;
  if (input.studentId && targetIndex < 0) {
    run.fx.push({ type: 'error', code: 'dialog:unknown_student', detail: input.studentId });
    return;
  }
  const step = currentStep(run);
  switch (input.command) {
    case 'stop':
      run.s.paused = true;
      if (step) send(run, step.id, { key: run.script.texts.paused });
      return;
    case 'resume':
      if (step) ask(run, step, run.s.position.section);
      return;
    case 'ask_counselor': {
      const studentId = input.studentId ?? currentStudent(run)?.id;
      run.fx.push({
        type: 'escalate',
        ...(studentId ? { studentId } : {}),
        trigger: 'navigator_request',
        urgent: false,
        ...(input.note ? { note: input.note } : {}),
      });
      if (step) send(run, step.id, { key: run.script.texts.counselorRequested });
      return;
    }
    case 'skip_student': {
      const current = currentStudent(run);
      if (targetIndex < 0 || list[targetIndex]?.id === current?.id) {
        if (!current) {
          run.fx.push({ type: 'error', code: 'dialog:no_student' });
          return;
        }
        finishStudent(run, 'skipped');
        return;
      }
      const target = list[targetIndex]!;
      run.s.students[target.id] = 'skipped';
      run.fx.push({ type: 'checkin_status', studentId: target.id, status: 'skipped' });
      return;
    }
    case 'goto_student':
      if (targetIndex < 0) {
        run.fx.push({ type: 'error', code: 'dialog:no_student' });
        return;
      }
      go(run, 'student', beginStudent(run, targetIndex));
      return;
  }
}

function interpret(run: Run, step: AskStep, input: Extract<DialogInput, { kind: 'text' | 'choice' }>) {
  const options = optionsOf(step);
  if (input.kind === 'choice') {
    const ids = input.choiceIds;
    if (ids.length === 1 && ids[0] === 'skip' && step.optional) return { kind: 'skip' } as const;
    if (ids.length === 1 && ids[0] === 'idea') return { kind: 'idea' } as const;
    const valid = ids.length > 0 && ids.every((id) => options.some((o) => o.id === id));
    if (step.kind === 'text' || !valid || (!isMultiple(step) && ids.length > 1))
      return { kind: 'unreadable' } as const;
    return { kind: 'options', ids } as const;
  }
  const skipWords = step.optional ? wordsFor(run, run.script.words.skip) : undefined;
  if (step.kind === 'text') {
    const trimmed = input.text.trim();
    if (skipWords && parseReply(trimmed, [], { multiple: false, skipWords }).kind === 'skip')
      return { kind: 'skip' } as const;
    return trimmed.length > 0
      ? ({ kind: 'text', text: trimmed } as const)
      : ({ kind: 'unreadable' } as const);
  }
  const ideaWords =
    offersIdea(run, step) && run.script.words.idea ? wordsFor(run, run.script.words.idea) : undefined;
  // "no internet at home" ticks internet, not housing.
  const places =
    step.kind === 'needs' && run.script.words.places ? wordsFor(run, run.script.words.places) : [];
  const text = places.length > 0 ? maskPhrases(normalizeText(input.text), places) : input.text;
  const parsed: ParsedReply = parseReply(text, parseOptions(run, options), {
    multiple: isMultiple(step),
    ...(skipWords ? { skipWords } : {}),
    ...(ideaWords ? { ideaWords } : {}),
  });
  if (parsed.kind === 'skip' && !step.optional) return { kind: 'unreadable' } as const;
  if (parsed.kind === 'idea' && !offersIdea(run, step)) return { kind: 'unreadable' } as const;
  return parsed;
}

function reply(run: Run, input: Extract<DialogInput, { kind: 'text' | 'choice' }>): void {
  const step = currentStep(run);
  if (!step) {
    run.fx.push({ type: 'error', code: 'script:missing_step', detail: run.s.position.stepId });
    finish(run, 'ended');
    return;
  }
  const section = run.s.position.section;
  run.s.paused = false;
  const rawText = input.kind === 'text' ? input.text : undefined;
  const question = questionPayloadFor(run, step);
  const asked = { key: step.key, ...(question.params ? { params: question.params } : {}) };
  const result = interpret(run, step, input);
  const studentId = currentStudent(run)?.id;
  const base = { stepId: step.id, ...(studentId ? { studentId } : {}), question: asked };
  if (rawText !== undefined && heardNeeds(run, step, result, { base, rawText, note: rawText })) return;

  switch (result.kind) {
    case 'idea':
      send(run, step.id, { key: icebreakerKey(run)! });
      wait(run, step);
      return;
    case 'skip':
      go(run, section, following(run, section, step));
      return;
    case 'unreadable':
      if (run.s.attempts === 0) {
        run.s.attempts = 1;
        ask(run, step, section, true);
        return;
      }
      run.fx.push({ type: 'record_answer', ...base, value: null, ...(rawText ? { rawText } : {}) });
      go(run, section, following(run, section, step));
      return;
    case 'text':
      run.fx.push({ type: 'record_answer', ...base, value: result.text, rawText: result.text });
      run.s.answers[answerKey(run, step.id, section)] = result.text;
      if (step.kind === 'text' && step.records && studentId)
        run.fx.push({ type: 'record_strength', studentId, kind: step.records, text: result.text });
      go(run, section, following(run, section, step));
      return;
    case 'options':
      chose(run, step, result.ids, { base, ...(rawText ? { rawText, note: rawText } : {}) });
      return;
  }
}

/** Where an answer came from: the step's snapshot base and the typed text, if any. */
interface AnswerContext {
  base: { stepId: string; studentId?: string; question: { key: string } };
  rawText?: string;
  note?: string;
}

function chose(run: Run, step: AskStep, picked: string[], ctx: AnswerContext): void {
  const section = run.s.position.section;
  const ids = record(run, step, picked, ctx);
  const branch = isMultiple(step) ? undefined : optionsOf(step).find((o) => o.id === ids[0])?.next;
  go(run, section, following(run, section, step, branch));
}

/** Records the picked options of a step: the answer, then each option's need and escalation. */
function record(run: Run, step: AskStep, picked: string[], ctx: AnswerContext): string[] {
  const section = run.s.position.section;
  const options = optionsOf(step);
  let ids = picked.filter((id, i) => picked.indexOf(id) === i);
  if (ids.length > 1) ids = ids.filter((id) => !options.find((o) => o.id === id)?.exclusive);
  const value = isMultiple(step) ? ids : ids[0];
  run.fx.push({
    type: 'record_answer',
    ...ctx.base,
    value,
    ...(ctx.rawText ? { rawText: ctx.rawText } : {}),
  });
  run.s.answers[answerKey(run, step.id, section)] = value;
  const studentId = ctx.base.studentId;
  for (const id of ids) {
    const option = options.find((o) => o.id === id)!;
    if (option.need && studentId) {
      const mark = `${studentId}/${option.need.area}`;
      if (!run.s.needsRecorded.includes(mark)) {
        run.s.needsRecorded.push(mark);
        run.fx.push({
          type: 'record_need',
          studentId,
          area: option.need.area,
          severity: option.need.severity,
          ...(option.need.tier ? { tier: option.need.tier } : {}),
          question: ctx.base.question,
          ...(ctx.rawText ? { answerText: ctx.rawText } : {}),
          ...(ctx.note ? { note: ctx.note } : {}),
        });
      }
    }
    if (option.escalate)
      run.fx.push({
        type: 'escalate',
        ...(studentId ? { studentId } : {}),
        trigger: option.escalate.trigger,
        urgent: option.escalate.urgent,
        ...(ctx.note ? { note: ctx.note } : {}),
      });
  }
  return ids;
}

/**
 * "necesitamos comida" in reply to "how is Ana doing?": need words from the needs step ahead, in a reply that
 * is unreadable or picks the option leading there ('hard'), answer both questions at once. Both answers keep
 * the raw text, each need is recorded, and the needs question is not asked again.
 */
function heardNeeds(run: Run, step: AskStep, result: { kind: string; ids?: string[] }, ctx: AnswerContext) {
  const section = run.s.position.section;
  if (section !== 'student' || !ctx.rawText) return false;
  const steps = run.script.sections.student;
  const branch = needsBranch(steps, step);
  if (!branch || !isAskStep(branch.needsStep) || !visible(run, branch.needsStep, section)) return false;
  const readable =
    result.kind === 'options' && result.ids?.length === 1 && result.ids[0] === branch.option.id;
  if (result.kind !== 'unreadable' && !readable) return false;
  const places = run.script.words.places ? wordsFor(run, run.script.words.places) : [];
  const ids = readNeedWords(ctx.rawText, parseOptions(run, inferableNeedOptions(branch.needsStep)), places);
  if (ids.length === 0) return false;

  record(run, step, [branch.option.id], ctx);
  const needsStep = branch.needsStep;
  run.s.position = { ...run.s.position, stepId: needsStep.id };
  const question = questionPayload(run, needsStep, section);
  const asked = { key: needsStep.key, ...(question.params ? { params: question.params } : {}) };
  record(run, needsStep, ids, { ...ctx, base: { ...ctx.base, stepId: needsStep.id, question: asked } });
  go(run, section, following(run, section, needsStep));
  return true;
}
