import { table } from './format.js';

// `slack unmatched|match` and `teams unmatched|match` report the same thing — which staff a chat platform cannot
// reach yet and why — each in its platform's words.

/** A staff member a chat platform cannot reach, with the platform's reason. */
export interface Unreached<Reason extends string> {
  staffId: string;
  name: string;
  role: string;
  email: string;
  reason: Reason;
}

/** What a matching run on a platform did (see each adapter's directory). */
export interface ReachReport<Reason extends string> {
  alreadyMatched: number;
  matched: number;
  unmatched: Unreached<Reason>[];
}

/** A platform's staff directory, as the command line uses it. */
export interface ChatDirectory<Reason extends string> {
  matchAll(options?: { remember?: boolean }): Promise<ReachReport<Reason>>;
}

/** How a platform says it. Example: Slack's `{ platform: 'Slack', notReached: 'not found in Slack', … }`. */
export interface ReachWords<Reason extends string> {
  platform: string;
  reasons: Record<Reason, string>;
  /** After the count of the unreached: "not found in Slack". */
  notReached: string;
  /** The counts line's label for the unreached: "Not found". */
  notReachedLabel: string;
  /** After the count of staff a real run would match: "more found in Slack by email; run `slack match`…". */
  moreFound: string;
  /** What the admin does about the unreached. */
  fix: string;
}

/** The unreached staff, with the roster email so the admin can check it (shown here, never logged). */
function unreachedTable<R extends string>(unmatched: Unreached<R>[], words: ReachWords<R>): string {
  return table([
    ['STAFF ID', 'NAME', 'ROLE', 'EMAIL', 'REASON'],
    ...unmatched.map((u) => [u.staffId, u.name, u.role, u.email, words.reasons[u.reason]]),
  ]);
}

/** `<platform> unmatched`: who cannot be reached yet, saving nothing. */
export async function listUnreached<R extends string>(
  directory: ChatDirectory<R>,
  words: ReachWords<R>,
): Promise<string> {
  const report = await directory.matchAll({ remember: false });
  const found = report.matched > 0 ? `\n${report.matched} ${words.moreFound}` : '';
  if (report.unmatched.length === 0)
    return `Every active navigator, lead navigator and counselor can be reached in ${words.platform}.${found}`;
  return `${unreachedTable(report.unmatched, words)}\n\n${report.unmatched.length} ${words.notReached}. ${words.fix}${found}`;
}

/** `<platform> match`: matches staff now (ids remembered, audit-logged) and prints the counts. */
export async function matchAndReport<R extends string>(
  directory: ChatDirectory<R>,
  words: ReachWords<R>,
): Promise<string> {
  const report = await directory.matchAll();
  const counts = `Matched now: ${report.matched}. Already matched: ${report.alreadyMatched}. ${words.notReachedLabel}: ${report.unmatched.length}.`;
  return report.unmatched.length === 0
    ? counts
    : `${counts}\n\n${unreachedTable(report.unmatched, words)}\n\n${words.fix}`;
}
