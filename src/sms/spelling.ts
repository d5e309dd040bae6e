// Families type STOP on small keyboards in a hurry: "unsuscribe", "stopp", "cancle". A keyword of five
// letters or more also counts when one letter is wrong (two for nine letters or more), and any keyword counts
// with letters repeated ("stooop"). Shorter keywords are too close to ordinary words ("stop"/"shop") to guess.

/** Letters repeated in a row collapsed to one: "stooop" → "stop". */
const collapsed = (w: string) => w.replace(/(.)\1+/gu, '$1');

/** Edit distance with adjacent swaps (Damerau–Levenshtein, optimal string alignment), stopping above `max`. */
export function editDistance(a: string, b: string, max: number): number {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[y.length]!;
}

/**
 * The keyword a single folded word is probably a misspelling of, or undefined. Example:
 * `likelyMisspelling('unsuscribe', new Set(['unsubscribe']))` → 'unsubscribe';
 * `likelyMisspelling('shop', new Set(['stop']))` → undefined.
 */
export function likelyMisspelling(word: string, keywords: Iterable<string>): string | undefined {
  if (/\d/.test(word)) return undefined;
  for (const k of keywords) {
    if (k.includes(' ')) continue;
    if (collapsed(word) === collapsed(k)) return k;
    const length = [...k].length;
    if (length < 5) continue;
    if (editDistance(word, k, length >= 9 ? 2 : 1) <= (length >= 9 ? 2 : 1)) return k;
  }
  return undefined;
}
