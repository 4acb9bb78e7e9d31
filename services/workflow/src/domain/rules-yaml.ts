// Rules as code: a tenant's rules as one YAML document ({rules: [...]}, sorted by key, keys in a fixed order),
// so that export -> apply -> export is a fixed point, and a line diff between a live rule and a file's. Pure.
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import type { FieldViolation } from '@crm/service-kit';
import { parseRule, type RuleDefinition } from './rule-definition';

export function ruleDocument(rule: RuleDefinition): Record<string, unknown> {
  return {
    key: rule.key,
    name: rule.name,
    ...(rule.description ? { description: rule.description } : {}),
    enabled: rule.enabled,
    trigger: rule.trigger,
    ...(rule.conditions !== null && rule.conditions !== undefined ? { conditions: rule.conditions } : {}),
    actions: rule.actions,
  };
}

export function rulesToYaml(rules: readonly RuleDefinition[]): string {
  const sorted = [...rules].sort((a, b) => a.key.localeCompare(b.key));
  return stringify({ rules: sorted.map(ruleDocument) }, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function ruleToYaml(rule: RuleDefinition): string {
  return stringify(ruleDocument(rule), { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * The rules of a document, or violations naming "rules[i].<field>" (and "yaml" when it does not parse). Several
 * documents separated by `---` (files applied together, e.g. `crm rules apply rules/*.yaml`) are one list, i counting
 * across them.
 */
export function parseRulesYaml(text: string): { rules: RuleDefinition[]; violations: FieldViolation[] } {
  const list: unknown[] = [];
  let named = false;
  for (const [n, doc] of parseAllDocuments(text).entries()) {
    const at = n > 0 ? ` (document ${n + 1})` : '';
    const error = doc.errors[0];
    if (error)
      return { rules: [], violations: [{ field: 'yaml', description: `does not parse${at}: ${firstLine(error)}` }] };
    let document: unknown;
    try {
      document = doc.toJS({ maxAliasCount: 0 });
    } catch (thrown) {
      return { rules: [], violations: [{ field: 'yaml', description: `does not parse${at}: ${firstLine(thrown)}` }] };
    }
    // An empty document (a file with only comments) names no rules.
    if (document === null || document === undefined) continue;
    const items = Array.isArray(document) ? document : (document as { rules?: unknown }).rules;
    if (!Array.isArray(items))
      return {
        rules: [],
        violations: [{ field: 'yaml', description: `must be a list of rules or {rules: [...]}${at}` }],
      };
    list.push(...(items as unknown[]));
    named = true;
  }
  // Nothing at all is a mistake, not "no rules" (which, with prune, would delete every rule).
  if (!named)
    return { rules: [], violations: [{ field: 'yaml', description: 'must be a list of rules or {rules: [...]}' }] };
  const rules: RuleDefinition[] = [];
  const violations: FieldViolation[] = [];
  const keys = new Set<string>();
  list.forEach((item, i) => {
    const { rule, violations: found } = parseRule(item);
    violations.push(...found.map((v) => ({ field: `rules[${i}].${v.field}`, description: v.description })));
    if (rule && keys.has(rule.key))
      violations.push({ field: `rules[${i}].key`, description: 'is used twice in the document' });
    if (rule) {
      keys.add(rule.key);
      rules.push(rule);
    }
  });
  return { rules, violations };
}

export function sameRule(a: RuleDefinition, b: RuleDefinition): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(ruleDocument(a))), JSON.parse(JSON.stringify(ruleDocument(b))));
}

/** A unified-style line diff ("-" live, "+" file, " " both). */
export function lineDiff(before: string, after: string): string {
  const a = before ? before.replace(/\n$/, '').split('\n') : [];
  const b = after ? after.replace(/\n$/, '').split('\n') : [];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      (lcs[i] as number[])[j] =
        a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, lcs[i]?.[j + 1] ?? 0);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0)))
      out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out.join('\n');
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
