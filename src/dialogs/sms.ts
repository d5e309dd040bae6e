// How many SMS segments a text costs (3GPP TS 23.038). A text whose every character is in the GSM-7 alphabet
// is sent as GSM-7: 160 septets in one segment, 153 per segment when concatenated, characters of the
// extension table (€ [ ] { } ^ ~ | \ and form feed) taking two. Anything else forces UCS-2 for the whole text:
// 70 UTF-16 units in one segment, 67 when concatenated, a surrogate pair (emoji) taking two units.
// Neither an escape pair nor a surrogate pair is split across segments, as handsets and carriers do.

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '\f^{}\\[~]|€';
const BASIC = new Set(GSM_BASIC);
const EXTENDED = new Set(GSM_EXTENDED);

/** The cost of a text as SMS. Example: `smsSegments('Hi €')` → `{ encoding: 'GSM-7', segments: 1, units: 5 }`. */
export interface SmsCost {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
}

function pack(costs: number[], single: number, multi: number): number {
  const total = costs.reduce((a, b) => a + b, 0);
  if (total <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const c of costs) {
    if (used + c > multi) {
      segments += 1;
      used = 0;
    }
    used += c;
  }
  return segments;
}

/** Counts encoding, units and segments for one SMS body. */
export function smsSegments(text: string): SmsCost {
  const chars = [...text];
  const gsm = chars.every((c) => BASIC.has(c) || EXTENDED.has(c));
  if (gsm) {
    const costs = chars.map((c) => (EXTENDED.has(c) ? 2 : 1));
    return { encoding: 'GSM-7', units: costs.reduce((a, b) => a + b, 0), segments: pack(costs, 160, 153) };
  }
  const costs = chars.map((c) => c.length);
  return { encoding: 'UCS-2', units: text.length, segments: pack(costs, 70, 67) };
}
