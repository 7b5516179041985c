// random.ts: seeded randomness, so a scheduling decision can be reproduced from the pod alone.

/** hashString is FNV-1a over a string's UTF-16 code units: a cheap, stable 32-bit seed. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** seededRandom returns a mulberry32 generator of numbers in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** randomForPod is the tie-breaking generator of one pod: seeded by its uid (or its key when it has none yet). */
export function randomForPod(uidOrKey: string): () => number {
  return seededRandom(hashString(uidOrKey));
}
