import type { App } from '@slack/bolt';
import { InboundEvents } from '../../../services/inbound-events.js';
import { slackErrorCode } from '../errors.js';
import { ACTION } from '../ids.js';
import { createReplies, type ListenerDeps, type Replies } from '../replies.js';
import { loggableError } from '../transport.js';
import { registerActions } from './actions.js';
import { registerCommands } from './commands.js';
import { registerDigestActions } from './digest.js';
import { registerEscalationActions } from './escalations.js';
import { registerEvents } from './events.js';
import { registerViews } from './views.js';

interface AnyBody {
  type?: string;
  event_id?: string;
  trigger_id?: string;
  actions?: { action_id?: string; action_ts?: string }[];
}

/** The id an inbound Slack request is de-duplicated by, or null when it needs none (checkbox toggles). */
export function inboundKey(body: AnyBody): string | null {
  if (body.event_id) return `event:${body.event_id}`;
  const action = body.actions?.[0];
  if (action?.action_id?.startsWith(`${ACTION.pick}.`)) return null;
  if (body.trigger_id) return `${body.type ?? 'request'}:${body.trigger_id}`;
  if (action?.action_ts) return `action:${action.action_ts}`;
  return null;
}

/**
 * Registers every listener, each kind in its own file as Slack's starter app lays them out, behind one
 * middleware that handles each request at most once. `track` registers work that goes on after the
 * acknowledgement.
 */
export function registerListeners(
  app: App,
  deps: ListenerDeps,
  track: (work: Promise<unknown>) => void,
): Replies {
  const { ctx } = deps;
  const inbound = new InboundEvents(ctx);
  const replies = createReplies(deps);

  // At most once per event_id / interaction, also when Slack retries (X-Slack-Retry-Num) or two copies race.
  app.use(async (args) => {
    // Tracked from the first look-up on: Slack has its ack (events are acknowledged at once) before the
    // duplicate check ends, and `settled()` / `stop()` must still wait for this request's work and bookkeeping.
    const handled = (async () => {
      const key = inboundKey(args.body as AnyBody);
      if (key && !(await inbound.firstTime('slack', key))) {
        if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
        ctx.logger.info({ retryNum: args.context.retryNum ?? 0 }, 'slack: duplicate request ignored');
        return;
      }
      try {
        await args.next();
        if (key) await inbound.finished('slack', key, 'processed');
      } catch (err) {
        if (key) await inbound.finished('slack', key, 'failed', slackErrorCode(err) ?? 'handler_error');
        ctx.logger.error(loggableError(err), 'slack: handler failed');
      }
    })();
    track(handled);
    await handled;
  });

  registerActions(app, deps, replies);
  registerViews(app, deps, replies);
  registerEscalationActions(app, deps, replies);
  registerCommands(app, deps, replies);
  registerEvents(app, deps, replies);
  registerDigestActions(app);

  app.error(async (err) => {
    ctx.logger.error({ code: (err as { code?: string }).code ?? 'error' }, 'slack: unhandled error');
  });

  return replies;
}
