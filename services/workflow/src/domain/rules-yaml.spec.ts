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
