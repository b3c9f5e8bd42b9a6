// Small statistics for benchmark samples: nearest-rank percentiles (with few samples, p99 is the maximum).

export interface Summary {
  n: number;
  median: number;
  p99: number;
  min: number;
  max: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(sorted: number[]): number {
  if (sorted.length === 0) return NaN;
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : x);

export function summary(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, median: round(median(s)), p99: round(percentile(s, 99)), min: round(s[0]), max: round(s[s.length - 1]) };
}
