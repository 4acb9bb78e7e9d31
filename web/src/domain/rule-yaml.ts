// A rule as the YAML the editor shows (the keys in the order `crm rules export` writes them) and back, and where in
// that text a field the API names ("actions[1].set.tier", "rules[0].trigger.event") is, so errors sit on their line.
import { LineCounter, isMap, isScalar, isSeq, parseDocument, stringify, type Node } from 'yaml';

export interface RuleDefinition {
  key: string;
  name: string;
  description?: string;
  enabled: boolean;
  trigger: Record<string, unknown>;
  conditions?: unknown;
  actions: Record<string, unknown>[];
}

export interface YamlProblem {
  /** The API's field path ("" for the document as a whole). */
  field: string;
  message: string;
  /** 1-based line, and the character range in the text to mark. */
  line: number;
  from: number;
  to: number;
}

const STRINGIFY = { lineWidth: 0, aliasDuplicateObjects: false } as const;

/** The definition of a rule, in the server's key order, without bookkeeping (id, version, owner). */
export function ruleDefinitionOf(rule: {
  key: string;
  name: string;
  description?: string | null;
  enabled: boolean;
  trigger: Record<string, unknown> | null;
  conditions?: unknown;
  actions: Record<string, unknown>[] | null;
}): RuleDefinition {
  return {
    key: rule.key,
    name: rule.name,
    ...(rule.description ? { description: rule.description } : {}),
    enabled: rule.enabled,
    trigger: rule.trigger ?? { type: 'manual' },
    ...(rule.conditions !== null && rule.conditions !== undefined ? { conditions: rule.conditions } : {}),
    actions: rule.actions ?? [],
  };
}

export function ruleToYaml(rule: RuleDefinition): string {
  return stringify(ruleDefinitionOf(rule), STRINGIFY);
}

/** A list of one rule, as POST /workflows/apply takes it (its errors then name "rules[0].…"). */
export function applyDocumentOf(rule: RuleDefinition): string {
  return stringify([ruleDefinitionOf(rule)], STRINGIFY);
}

/** "rules[0].actions[1].set.tier" → ["actions", 1, "set", "tier"]. */
export function fieldPath(field: string): (string | number)[] {
  const path: (string | number)[] = [];
  for (const part of field.replace(/^rules\[\d+\]\.?/, '').match(/[^.[\]]+|\[\d+\]/g) ?? [])
    path.push(/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part);
  return path;
}

function rangeOf(node: Node | null | undefined): [number, number] | undefined {
  const range = node?.range;
  return range ? [range[0], Math.max(range[0] + 1, range[1])] : undefined;
}

/** Where a field is in the text: its key (or list item); the nearest existing parent when it is missing. */
export function locateField(text: string, field: string): { line: number; from: number; to: number } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true });
  let node: unknown = doc.contents;
  let at: [number, number] = [0, Math.min(text.length, Math.max(1, text.indexOf('\n')))];
  for (const segment of fieldPath(field)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      at = rangeOf(pair.key as Node) ?? at;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      at = rangeOf(item) ?? at;
      node = item;
    } else break;
  }
  // A key's range ends at the key; a list item's may run over several lines: mark its first line only.
  const lineEnd = text.indexOf('\n', at[0]);
  const to = Math.min(at[1], lineEnd === -1 ? text.length : lineEnd);
  return { line: lines.linePos(at[0]).line, from: at[0], to: Math.max(to, Math.min(at[0] + 1, text.length)) };
}

/** The API's field errors placed in the text. */
export function problemsAt(text: string, errors: readonly { field: string; detail: string }[]): YamlProblem[] {
  return errors.map(({ field, detail }) => {
    const shown = field.replace(/^rules\[\d+\]\.?/, '');
    return { field: shown, message: shown ? `${shown} ${detail}` : detail, ...locateField(text, shown) };
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The rule the text describes, or what is wrong with it: syntax errors at their position, and the shape the API
 * needs (the service judges the meaning when it validates).
 */
export function parseRuleYaml(text: string): { rule?: RuleDefinition; problems: YamlProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const syntax = [...doc.errors, ...doc.warnings];
  if (doc.errors.length > 0)
    return {
      problems: syntax.map((e) => {
        const from = Math.min(e.pos[0], text.length);
        return {
          field: 'yaml',
          message: e.message.split('\n')[0] ?? e.message,
          line: lines.linePos(from).line,
          from,
          to: Math.min(Math.max(e.pos[1], from + 1), text.length),
        };
      }),
    };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 0 });
  } catch (error) {
    return { problems: [{ field: 'yaml', message: String(error), ...locateField(text, '') }] };
  }
  if (!isObject(value))
    return {
      problems: [{ field: '', message: 'A rule is a mapping: key, name, trigger, actions', ...locateField(text, '') }],
    };
  const errors: { field: string; detail: string }[] = [];
  for (const name of ['key', 'name'] as const)
    if (typeof value[name] !== 'string' || value[name] === '') errors.push({ field: name, detail: 'is required' });
  if (value.enabled !== undefined && typeof value.enabled !== 'boolean')
    errors.push({ field: 'enabled', detail: 'must be true or false' });
  if (!isObject(value.trigger) || typeof value.trigger.type !== 'string')
    errors.push({ field: 'trigger', detail: 'must be a mapping with a type' });
  if (!Array.isArray(value.actions) || value.actions.length === 0)
    errors.push({ field: 'actions', detail: 'must list at least one action' });
  else
    value.actions.forEach((action, i) => {
      if (!isObject(action) || typeof action.id !== 'string' || typeof action.type !== 'string')
        errors.push({ field: `actions[${i}]`, detail: 'must have an id and a type' });
    });
  if (errors.length > 0) return { problems: problemsAt(text, errors) };
  return {
    rule: ruleDefinitionOf({
      key: value.key as string,
      name: value.name as string,
      description: typeof value.description === 'string' ? value.description : '',
      enabled: (value.enabled as boolean | undefined) ?? true,
      trigger: value.trigger as Record<string, unknown>,
      conditions: value.conditions,
      actions: value.actions as Record<string, unknown>[],
    }),
    problems: [],
  };
}

/** A new rule to start from: manual, so it can be tried at once. */
export const RULE_TEMPLATE = `key: my-rule
name: My rule
enabled: true
trigger:
  type: manual
actions:
  - id: follow-up
    type: create_task
    title: Follow up
`;
