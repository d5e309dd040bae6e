import { describe, expect, it } from 'vitest';
import { smsSegments } from '../../src/dialogs/sms.js';

describe('smsSegments', () => {
  it('counts GSM-7 up to 160 in one segment and 153 per part after', () => {
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
    expect(smsSegments('a'.repeat(306))).toEqual({ encoding: 'GSM-7', segments: 2, units: 306 });
    expect(smsSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts extension characters as two septets and never splits them', () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(10)}`).segments).toBe(2);
    expect(smsSegments(`${'a'.repeat(152)}€`)).toEqual({ encoding: 'GSM-7', segments: 1, units: 154 });
    // 306 septets fit 2 × 153, but the escape pair cannot straddle parts 1 and 2.
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({
      encoding: 'GSM-7',
      segments: 3,
      units: 306,
    });
  });

  it('switches the whole text to UCS-2 for one character outside GSM-7', () => {
    expect(smsSegments('Hola, ¿cómo está?')).toMatchObject({ encoding: 'UCS-2', units: 17, segments: 1 });
    expect(smsSegments('é'.repeat(70)).encoding).toBe('GSM-7');
    expect(smsSegments('ó'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(smsSegments('ó'.repeat(71)).segments).toBe(2);
    expect(smsSegments('ó'.repeat(134)).segments).toBe(2);
    expect(smsSegments('ó'.repeat(135)).segments).toBe(3);
  });

  it('counts a surrogate pair as two units and keeps it whole', () => {
    expect(smsSegments('😀')).toEqual({ encoding: 'UCS-2', segments: 1, units: 2 });
    expect(smsSegments('😀'.repeat(35)).segments).toBe(1);
    expect(smsSegments(`${'a'.repeat(66)}😀${'a'.repeat(10)}`).segments).toBe(2);
    expect(smsSegments(`${'a'.repeat(66)}😀`)).toEqual({ encoding: 'UCS-2', segments: 1, units: 68 });
    // 134 units fit 2 × 67, but the pair cannot straddle parts 1 and 2.
    expect(smsSegments(`${'a'.repeat(66)}😀${'a'.repeat(66)}`)).toEqual({
      encoding: 'UCS-2',
      segments: 3,
      units: 134,
    });
  });
});
