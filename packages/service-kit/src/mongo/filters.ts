export type Filter = Record<string, unknown>;

/**
 * The conjunction of filters, keeping plain equalities at the top level: FerretDB pushes only top-level
 * equalities down to its backend, where an index answers them, and reads everything else in full. Clashing keys
 * (a rep's own ownerId against a requested one) and operator clauses ($or, $and) go under $and, so nothing is
 * overwritten.
 */
export function allOf(...filters: Filter[]): Filter {
  const merged: Filter = {};
  const conjuncts: Filter[] = [];
  for (const filter of filters) {
    for (const [key, value] of Object.entries(filter)) {
      if (key === '$and' && Array.isArray(value)) conjuncts.push(...(value as Filter[]));
      else if (key.startsWith('$') || key in merged) conjuncts.push({ [key]: value });
      else merged[key] = value;
    }
  }
  return conjuncts.length > 0 ? { ...merged, $and: conjuncts } : merged;
}
