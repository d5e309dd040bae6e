import type { AppContext } from '../../context.js';
import {
  type FamilyInboundDeps,
  type FamilyInboundOutcome,
  FamilyInboundService,
  type FamilyText,
} from '../../services/family-inbound.js';

/** What handling an inbound SMS needs besides the context: the family inbound service's dependencies. */
export type InboundSmsDeps = FamilyInboundDeps;

/** An inbound SMS as Twilio (or the simulator) delivers it. `optOutType`: Twilio Advanced Opt-Out's verdict. */
export interface InboundSms {
  from: string;
  body: string;
  messageSid: string;
  optOutType?: string;
}

// Twilio Advanced Opt-Out names the keyword it already acted on and answered; other values do not occur.
const CARRIER_KEYWORDS: Record<string, FamilyText['carrierKeyword']> = {
  STOP: 'opt_out',
  START: 'opt_in',
  HELP: 'help',
};

/** Twilio's webhook fields as the family inbound service reads them. */
export function familyTextOf(sms: InboundSms): FamilyText {
  const carrierKeyword = CARRIER_KEYWORDS[sms.optOutType?.toUpperCase() ?? ''];
  return {
    channel: 'sms',
    eventId: sms.messageSid,
    from: sms.from,
    body: sms.body,
    ...(carrierKeyword ? { carrierKeyword } : {}),
  };
}

/**
 * Handles one inbound SMS (signature already checked), once per MessageSid, through the family inbound
 * service. Example: `await handleInboundSms(ctx, deps, { from, body, messageSid })`.
 */
export function handleInboundSms(
  ctx: AppContext,
  deps: InboundSmsDeps,
  sms: InboundSms,
): Promise<FamilyInboundOutcome> {
  return new FamilyInboundService(ctx, deps).receive(familyTextOf(sms));
}
