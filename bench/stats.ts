/** The spread of repeated measurements: the median is the headline figure, min and max show the noise. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new Error('Cannot summarise an empty list of measurements.');
  return [...values].sort((a, b) => a - b);
}

/** Nearest-rank percentile, `p` in 0..100, so p99 of 200 samples is an observed value, never interpolated. */
export function percentile(values: readonly number[], p: number): number {
  const ordered = sorted(values);
  const rank = Math.min(ordered.length, Math.max(1, Math.ceil((p / 100) * ordered.length)));
  return ordered[rank - 1] as number;
}

export function median(values: readonly number[]): number {
  const ordered = sorted(values);
  const middle = Math.floor(ordered.length / 2);
  if (ordered.length % 2 === 1) return ordered[middle] as number;
  return ((ordered[middle - 1] as number) + (ordered[middle] as number)) / 2;
}

export function summarise(values: readonly number[]): Summary {
  const ordered = sorted(values);
  return {
    median: median(ordered),
    min: ordered[0] as number,
    max: ordered[ordered.length - 1] as number,
    samples: [...values],
  };
}
