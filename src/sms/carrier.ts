import type { InboundKind } from './classify.js';
import { TWILIO_OPT_OUT_WORDS } from './common-words.js';

// The carrier's own keyword handling (Twilio's default STOP/START/HELP on long codes, and Advanced Opt-Out),
// and how our reading of a family's words defers to it.

/**
 * A keyword the carrier already recognised and answered itself (Twilio Advanced Opt-Out's OptOutType): it is
 * authoritative, and we send no confirmation or HELP answer of our own.
 */
export type CarrierKeyword = 'opt_out' | 'opt_in' | 'help';

const CARRIER_WORDS = new Set<string>(TWILIO_OPT_OUT_WORDS);

/**
 * True when Twilio's default keyword handling acts on the text itself (blocks the number and sends its own
 * confirmation): only one of its eight words, in ASCII, with nothing around it but spaces. "STOP please",
 * "stop!", full-width ＳＴＯＰ or "STOP 🙏" are opt-outs for us but not for Twilio, so we confirm those.
 */
export function carrierActsOn(body: string): boolean {
  return CARRIER_WORDS.has(body.trim().toUpperCase());
}

/** The carrier's verdict wins over our reading of the words (it already acted on it). */
export function withCarrierVerdict(
  carrier: CarrierKeyword | undefined,
  classified: InboundKind,
): InboundKind {
  switch (carrier) {
    case 'opt_out':
      return classified.kind === 'opt_out' ? classified : { kind: 'opt_out', word: 'stop' };
    case 'opt_in':
      return { kind: 'opt_in', word: 'start', strong: true };
    case 'help':
      return { kind: 'help' };
    default:
      return classified;
  }
}

/** Where an opt-out came from, for the consent record and the opted-out list. */
export function optOutSource(carrier: CarrierKeyword | undefined): string {
  return carrier === 'opt_out' ? 'advanced_opt_out' : 'sms_keyword';
}
