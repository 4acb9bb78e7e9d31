import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRule } from './rule-definition';
import { lineDiff, parseRulesYaml, rulesToYaml } from './rules-yaml';

const dir = join(__dirname, '..', '..', 'rules');

describe('rules as YAML', () => {
  it('the shipped examples parse, and export -> parse -> export is a fixed point', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const { rules, violations } = parseRulesYaml(readFileSync(join(dir, file), 'utf8'));
      expect(violations).toEqual([]);
      const once = rulesToYaml(rules);
      expect(rulesToYaml(parseRulesYaml(once).rules)).toBe(once);
    }
  });

  it('names the field of a bad rule in a document', () => {
    const { violations } = parseRulesYaml(
      'rules:\n  - key: a\n    name: A\n    trigger: {type: event, event: deal.won}\n    actions: [{type: update_record, entity: deal, set: {colour: red}}]\n',
    );
    expect(violations).toEqual([
      { field: 'rules[0].actions[0].set.colour', description: expect.stringMatching(/not a field/) },
    ]);
    expect(parseRulesYaml('rules: [').violations[0]?.field).toBe('yaml');
  });

  it('reads several documents (files applied together) as one list, and refuses an empty one', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    const joined = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n---\n');
    const { rules, violations } = parseRulesYaml(joined);
    expect(violations).toEqual([]);
    expect(rules.map((r) => r.key)).toEqual(
      files.flatMap((f) => parseRulesYaml(readFileSync(join(dir, f), 'utf8')).rules.map((r) => r.key)),
    );
    const twice = parseRulesYaml(
      `${readFileSync(join(dir, files[0]!), 'utf8')}\n---\n# only a comment\n---\n${readFileSync(join(dir, files[0]!), 'utf8')}`,
    );
    expect(twice.violations.map((v) => v.field)).toEqual(['rules[1].key']);
    expect(parseRulesYaml('').violations[0]?.field).toBe('yaml');
    expect(parseRulesYaml('# nothing\n---\n').violations[0]?.field).toBe('yaml');
    expect(parseRulesYaml('rules: []\n---\nkey: x\n').violations[0]?.description).toMatch(/document 2/);
  });

  it('diffs line by line', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nx\nc\n')).toBe('  a\n+ x\n- b\n  c');
  });

  it('gives steps without an id a stable one', () => {
    const { rule } = parseRule({
      key: 'k',
      name: 'n',
      trigger: { type: 'manual' },
      actions: [{ type: 'wait', for: { amount: 1, unit: 'hours' } }],
    });
    expect(rule?.actions[0]?.id).toBe('s1');
  });
});
