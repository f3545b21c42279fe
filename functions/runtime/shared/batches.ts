/**
 * Packs items into batches for AWS batch APIs: at most `maxCount` items and
 * `maxBytes` (as `sizeOf` counts them) per batch; an item larger than
 * `maxBytes` goes alone, so the service says what is wrong with it.
 */
export function packBatches<T>(items: readonly T[], maxCount: number, maxBytes: number, sizeOf: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (batch.length > 0 && (batch.length === maxCount || bytes + size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
