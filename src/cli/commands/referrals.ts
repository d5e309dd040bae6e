import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import { ReferralService, referralRef } from '../../services/referrals.js';
import { AuditRepository } from '../../store/repositories/audit.js';
import { ReferralRepository } from '../../store/repositories/referrals.js';
import { REFERRAL_STATUSES, type ReferralStatus } from '../../store/schema/index.js';
import { type ContextFactory, runCommand } from '../context.js';
import { CommandError, table } from '../format.js';

const iso = (ms: number | null) =>
  ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** Referrals, newest change first: references, student id, area, service, status, the family's answer. */
export async function listReferrals(
  ctx: AppContext,
  options: { status?: string; school?: string },
): Promise<string> {
  const status = options.status;
  if (status !== undefined && !(REFERRAL_STATUSES as readonly string[]).includes(status))
    throw new CommandError(`Unknown status ${status}; use one of ${REFERRAL_STATUSES.join(', ')}.`);
  const rows = await new ReferralService(ctx).list({
    ...(status ? { status: status as ReferralStatus } : {}),
    ...(options.school ? { schoolId: options.school } : {}),
  });
  if (rows.length === 0) return 'No referrals.';
  return table([
    ['ref', 'need', 'student', 'area', 'service', 'status', 'family said', 'updated'],
    ...rows.map((r) => [
      referralRef(r.referral.id),
      referralRef(r.referral.needId),
      r.studentId,
      r.area,
      r.serviceName,
      r.referral.status === 'declined' ? `declined: ${r.referral.declineReason ?? ''}` : r.referral.status,
      r.referral.followUpAnswer ?? (r.referral.followUpAt ? 'asked' : '-'),
      iso(r.referral.updatedAt),
    ]),
  ]);
}

/** One referral with its history from the audit log: who moved it, when, and what the family answered. */
export async function showReferral(ctx: AppContext, ref: string): Promise<string> {
  const repo = new ReferralRepository(ctx.db);
  const referral = await repo.referralByRef(ref);
  if (!referral) throw new CommandError(`No referral with reference ${ref} (see 'referrals list').`);
  const need = await repo.needByRef(referral.needId);
  const service = await repo.serviceName(referral.serviceId);
  const history = await new AuditRepository(ctx.db).listFor('referral', referral.id);
  const what = (action: string, after: unknown) => {
    const a = (after ?? {}) as { status?: string; answer?: string; guardians?: string[] };
    if (action === 'create') return 'referred';
    if (action === 'status') return `-> ${a.status}`;
    if (action === 'follow_up_sent') return `follow-up text to ${a.guardians?.length ?? 0} guardian(s)`;
    if (action === 'follow_up_answer') return `family answered: ${a.answer === 'yes' ? 'yes' : 'not yet'}`;
    return action;
  };
  return [
    `Referral ${referralRef(referral.id)}: ${referral.status}${referral.declineReason ? ` (${referral.declineReason})` : ''}`,
    `Need ${referralRef(referral.needId)}: ${need?.area ?? '-'} of student ${need?.studentId ?? '-'}`,
    `Service: ${service ?? referral.serviceId} (${referral.serviceId})`,
    '',
    table([['when', 'who', 'what'], ...history.map((e) => [iso(e.at), e.actor, what(e.action, e.after)])]),
  ].join('\n');
}

/** Open needs with their references, to pick one for `referrals create --need`. */
export async function listOpenNeeds(ctx: AppContext, options: { school?: string }): Promise<string> {
  const rows = await new ReferralRepository(ctx.db).openNeeds(options.school);
  if (rows.length === 0) return 'No open needs.';
  return table([
    ['need', 'student', 'school', 'area', 'severity', 'status', 'since'],
    ...rows.map((n) => [
      referralRef(n.id),
      n.studentId,
      n.schoolId,
      n.area,
      n.severity,
      n.status,
      iso(n.createdAt).slice(0, 10),
    ]),
  ]);
}

/** `referrals needs|list|create|update`: the same rules as every other channel, refusals as sentences. */
export function registerReferralCommands(program: Command, makeContext: ContextFactory): void {
  const run = (fn: (ctx: AppContext) => Promise<string>) => runCommand(makeContext, fn);
  const group = program
    .command('referrals')
    .description('needs linked to services: needs, list, show, create, update; see docs/referrals.md');
  group
    .command('needs')
    .description('open needs with their references (to give to create --need)')
    .option('--school <schoolId>', 'only needs of this school')
    .action((o: { school?: string }) => run((ctx) => listOpenNeeds(ctx, o)));
  group
    .command('list')
    .description('referrals, newest change first')
    .option('--status <status>', `one of ${REFERRAL_STATUSES.join(', ')}`)
    .option('--school <schoolId>', 'only referrals of this school')
    .action((o: { status?: string; school?: string }) => run((ctx) => listReferrals(ctx, o)));
  group
    .command('show <ref>')
    .description('one referral and its history (who moved it, the family follow-up)')
    .action((ref: string) => run((ctx) => showReferral(ctx, ref)));
  group
    .command('create')
    .description('refer a need to a service from the catalog (the need becomes referred)')
    .requiredOption('--need <ref>', 'the need (id or reference from referrals needs)')
    .requiredOption('--service <id>', 'the service id (from services list)')
    .requiredOption('--by <staffId>', 'the navigator, counselor or lead navigator making it')
    .action((o: { need: string; service: string; by: string }) =>
      run(async (ctx) => {
        const result = await new ReferralService(ctx).create(o.by, o.need, o.service);
        if (!result.ok) throw new CommandError(result.message);
        return result.message;
      }),
    );
  group
    .command('update <ref>')
    .description('move a referral: connected (texts the family one follow-up), receiving, resolved, declined')
    .requiredOption('--status <status>', 'connected, receiving, resolved or declined')
    .requiredOption('--by <staffId>', 'the navigator, counselor or lead navigator')
    .option('--reason <text>', 'why it was declined (required with declined)')
    .action((ref: string, o: { status: string; by: string; reason?: string }) =>
      run(async (ctx) => {
        const result = await new ReferralService(ctx).update(o.by, ref, o.status, o.reason);
        if (!result.ok) throw new CommandError(result.message);
        const n = result.followUps ?? 0;
        const texts =
          o.status !== 'connected'
            ? ''
            : n > 0
              ? `\nFollow-up text queued to ${n} guardian${n === 1 ? '' : 's'}.`
              : '\nNo follow-up text: no guardian of the student can be texted now (no phone, no consent, opted out or paused).';
        return `${result.message}${texts}`;
      }),
    );
}
