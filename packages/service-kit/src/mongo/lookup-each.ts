/**
 * One lookup per distinct value, at most `concurrency` in flight, results in the values' order. Each equality
 * is answered from an index on every store, where FerretDB reads the whole collection for an $in.
 */
export async function lookupEach<V, R>(
  values: readonly V[],
  lookup: (value: V) => Promise<R | R[] | null | undefined>,
  concurrency = 16,
): Promise<R[]> {
  const distinct = [...new Set(values)];
  const results: Array<R | R[] | null | undefined> = new Array(distinct.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < distinct.length) {
      const index = next++;
      results[index] = await lookup(distinct[index] as V);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, distinct.length) }, worker));
  return results.flatMap((result) =>
    result === null || result === undefined ? [] : Array.isArray(result) ? result : [result],
  );
}
