// Twilio status callbacks arrive in any order (each is its own HTTP request, retried independently), so a
// stored status only moves forward: queued < sending < sent < delivered (< read), and a final result
// (delivered, undelivered, failed, canceled) is never replaced by an earlier stage.

/** Twilio message statuses we store in outbox.provider_status. */
export const PROVIDER_STATUSES = [
  'accepted',
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'undelivered',
  'failed',
  'canceled',
] as const;
export type ProviderStatus = (typeof PROVIDER_STATUSES)[number];

const RANK: Record<ProviderStatus, number> = {
  accepted: 0,
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
  read: 5,
};

/** Results after which nothing but 'read' (after 'delivered') may follow. */
export const FINAL_STATUSES: ReadonlySet<ProviderStatus> = new Set([
  'delivered',
  'read',
  'undelivered',
  'failed',
  'canceled',
]);

/** Parses a status string from a callback; unknown values (a new Twilio status) give undefined. */
export function parseProviderStatus(value: unknown): ProviderStatus | undefined {
  return typeof value === 'string' && (PROVIDER_STATUSES as readonly string[]).includes(value)
    ? (value as ProviderStatus)
    : undefined;
}

/**
 * Whether a callback's status may replace the stored one. Example: stored 'delivered', incoming 'sent' →
 * false; stored 'sent', incoming 'undelivered' → true; stored 'failed', incoming 'delivered' → false.
 */
export function advancesStatus(current: string | null | undefined, next: ProviderStatus): boolean {
  const cur = parseProviderStatus(current);
  if (!cur) return true;
  if (cur === next) return false;
  if (FINAL_STATUSES.has(cur)) return cur === 'delivered' && next === 'read';
  return RANK[next] > RANK[cur];
}

/** Error codes in a status callback that mean the handset could not be reached (not our content). */
export const UNDELIVERABLE_CODES: ReadonlySet<string> = new Set(['30003', '30005', '30006']);
