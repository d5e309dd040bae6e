import express, { type Request, type Response } from 'express';
import twilio from 'twilio';
import type { AppContext } from '../../context.js';
import { errorName } from '../../lib/logger.js';
import type { RouteModule } from '../../server.js';
import { FamilyInboundService } from '../../services/family-inbound.js';
import { parseProviderStatus } from '../../sms/status.js';
import { familyTextOf, type InboundSmsDeps } from './inbound.js';

/** Paths Twilio calls; the signature is checked against PUBLIC_BASE_URL + these, never the Host header. */
export const SMS_INBOUND_PATH = '/sms/inbound';
export const SMS_STATUS_PATH = '/sms/status';
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** The SMS webhook routes plus `idle()`, which resolves when inbound handling in progress is done. */
export interface SmsRoutes {
  routes: RouteModule;
  idle(): Promise<void>;
}

function formParams(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const body = req.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * True when the request carries a valid X-Twilio-Signature for `publicBaseUrl + path` and its form
 * parameters. The URL is the configured public one: a Host or X-Forwarded-* header cannot change it.
 */
export function verifyTwilioSignature(ctx: AppContext, req: Request, path: string): boolean {
  const token = ctx.config.twilio?.authToken;
  const base = ctx.config.publicBaseUrl;
  const signature = req.get('x-twilio-signature');
  if (!token || !base || !signature) return false;
  return twilio.validateRequest(token, signature, `${base}${path}`, formParams(req));
}

/**
 * POST /sms/inbound and POST /sms/status. Inbound: signature, then the family inbound service (once per
 * MessageSid; replies go through the outbox), and only then empty TwiML; a failure answers 500 and leaves
 * the MessageSid unrecorded so a retry is processed.
 * Example: `createHttpApp(ctx, [createSmsRoutes(deps).routes])`.
 */
export function createSmsRoutes(deps: InboundSmsDeps): SmsRoutes {
  const inFlight = new Set<Promise<void>>();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 });

  const routes: RouteModule = (app, ctx) => {
    const family = new FamilyInboundService(ctx, deps);
    app.post(SMS_INBOUND_PATH, form, (req: Request, res: Response) => {
      if (!verifyTwilioSignature(ctx, req, SMS_INBOUND_PATH)) {
        ctx.logger.warn({ path: SMS_INBOUND_PATH }, 'sms: rejected a request without a valid signature');
        res.status(403).type('text/plain').send('forbidden');
        return;
      }
      const params = formParams(req);
      const messageSid = params.MessageSid ?? params.SmsSid;
      if (!messageSid || !params.From) {
        res.status(400).type('text/plain').send('missing MessageSid or From');
        return;
      }
      // Handled before answering (local database work, fast): a 200 means the text is safely handled; a 500
      // sends Twilio's retry or fallback URL. Every failure is caught here and logged by name only: a failed
      // query's message holds its parameters (the number, the text), and Express's default handler would
      // print it whole.
      const text = familyTextOf({
        from: params.From,
        body: params.Body ?? '',
        messageSid,
        ...(params.OptOutType ? { optOutType: params.OptOutType } : {}),
      });
      const work = family
        .receive(text)
        .then((outcome) => {
          if (outcome.action === 'duplicate')
            ctx.logger.info({ messageSid }, 'sms: duplicate inbound ignored');
          else
            ctx.logger.info(
              { messageSid, action: outcome.action, replies: outcome.replies },
              'sms: inbound handled',
            );
          res.status(200).type('text/xml').send(EMPTY_TWIML);
        })
        .catch((err: unknown) => {
          ctx.logger.error({ messageSid, err: errorName(err) }, 'sms: inbound failed; left for a retry');
          if (!res.headersSent) res.status(500).type('text/plain').send('error');
        });
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    });

    app.post(SMS_STATUS_PATH, form, (req: Request, res: Response) => {
      if (!verifyTwilioSignature(ctx, req, SMS_STATUS_PATH)) {
        res.status(403).type('text/plain').send('forbidden');
        return;
      }
      const params = formParams(req);
      const sid = params.MessageSid ?? params.SmsSid;
      const status = parseProviderStatus(params.MessageStatus ?? params.SmsStatus);
      const apply = async () => {
        if (sid && status) {
          const r = await deps.sms.applyDeliveryReport(sid, status, params.ErrorCode || undefined);
          if (r.markedUnreachable) ctx.logger.warn({ messageSid: sid }, 'sms: family marked unreachable');
        }
        res.status(200).type('text/xml').send(EMPTY_TWIML);
      };
      apply().catch((err: unknown) => {
        // Twilio retries a failed callback; the name only (see the inbound route).
        ctx.logger.error({ messageSid: sid, err: errorName(err) }, 'sms: delivery report failed');
        if (!res.headersSent) res.status(500).type('text/plain').send('error');
      });
    });
  };

  return {
    routes,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
