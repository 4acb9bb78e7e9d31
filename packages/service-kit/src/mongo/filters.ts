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

type Clause = Record<string, unknown>;

/** Whether a clause is plain equalities and $in lists, so that it splits into equalities. */
function isEqualityClause(clause: Clause): boolean {
  return Object.entries(clause).every(([key, value]) => {
    if (key.startsWith('$')) return false;
    if (value === null || typeof value !== 'object' || value instanceof Date) return true;
    const operators = Object.keys(value);
    return operators.length === 1 && operators[0] === '$in' && Array.isArray((value as { $in: unknown }).$in);
  });
}

/** `{ a: { $in: [1, 2] }, b: 3 }` → `[{ a: 1, b: 3 }, { a: 2, b: 3 }]`. */
function expandIn(clause: Clause): Clause[] {
  return Object.entries(clause).reduce<Clause[]>(
    (branches, [key, value]) => {
      const options =
        value !== null && typeof value === 'object' && !(value instanceof Date)
          ? (value as { $in: unknown[] }).$in
          : [value];
      return branches.flatMap((branch) => options.map((option) => ({ ...branch, [key]: option })));
    },
    [{}],
  );
}

/**
 * A filter whose top-level $or is made of equalities, rewritten as a list of equality-only filters whose union
 * is the same set: a manager's `{ $or: [{ teamId: { $in: [east, north] } }, { ownerId: me }] }` becomes three
 * filters, each answered from an index. Any other filter comes back as the only branch.
 */
export function equalityBranches(filter: Filter): Filter[] {
  const { $or: disjuncts, ...rest } = filter;
  if (!Array.isArray(disjuncts) || !disjuncts.every((d) => isEqualityClause(d as Clause))) return [filter];
  return (disjuncts as Clause[]).flatMap(expandIn).map((branch) => allOf(rest, branch));
}

export type SortSpec = Record<string, 1 | -1>;

function compareValues(a: unknown, b: unknown): number {
  // Missing and null sort first, as in MongoDB.
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : -1;
  if (b === undefined || b === null) return 1;
  const left = a instanceof Date ? a.getTime() : a;
  const right = b instanceof Date ? b.getTime() : b;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** A comparator for records in the order a sort spec gives. */
export function compareBy(sort: SortSpec): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  const keys = Object.entries(sort);
  return (a, b) => {
    for (const [key, direction] of keys) {
      const order = compareValues(a[key], b[key]);
      if (order !== 0) return order * direction;
    }
    return 0;
  };
}
