import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  RULE_TEMPLATE,
  applyDocumentOf,
  fieldPath,
  locateField,
  parseRuleYaml,
  problemsAt,
  ruleDefinitionOf,
  ruleToYaml,
} from './rule-yaml';

const RULE = `key: vip-upgrade
name: Mark big customers VIP
enabled: true
trigger:
  type: event
  event: deal.stage_changed
actions:
  - id: tag
    type: add_tag
    tag: vip
  - id: set-tier
    type: update_record
    set:
      tier: platinum
`;

describe('rules as YAML in the editor', () => {
  it('reads a rule and writes it back in the export key order, text unchanged', () => {
    const { rule, problems } = parseRuleYaml(RULE);
    expect(problems).toEqual([]);
    expect(rule).toMatchObject({ key: 'vip-upgrade', enabled: true, trigger: { type: 'event' } });
    expect(ruleToYaml(rule!)).toBe(RULE);
  });

  it('orders keys as the server exports them, leaving out an empty description and null conditions', () => {
    const yaml = ruleToYaml(
      ruleDefinitionOf({
        actions: [{ id: 'a', type: 'create_task', title: 'x' }],
        conditions: null,
        trigger: { type: 'manual' },
        enabled: false,
        description: '',
        name: 'N',
        key: 'k',
      }),
    );
    expect(yaml.split('\n').filter((l) => /^\w/.test(l))).toEqual([
      'key: k',
      'name: N',
      'enabled: false',
      'trigger:',
      'actions:',
    ]);
  });

  it('sends a list of one rule to apply', () => {
    const { rule } = parseRuleYaml(RULE);
    expect(parse(applyDocumentOf(rule!))).toEqual([rule]);
  });

  it('reads field paths the API names, with or without the rules[i] prefix', () => {
    expect(fieldPath('actions[1].set.tier')).toEqual(['actions', 1, 'set', 'tier']);
    expect(fieldPath('rules[0].trigger.event')).toEqual(['trigger', 'event']);
    expect(fieldPath('rules[0]')).toEqual([]);
  });

  it('puts an API error on the line of the field it names', () => {
    expect(locateField(RULE, 'actions[1].set.tier').line).toBe(14);
    expect(locateField(RULE, 'trigger.event').line).toBe(6);
    const [problem] = problemsAt(RULE, [{ field: 'rules[0].trigger.event', detail: 'is not an event type' }]);
    expect(problem).toMatchObject({ field: 'trigger.event', message: 'trigger.event is not an event type', line: 6 });
    expect(RULE.slice(problem!.from, problem!.to)).toBe('event');
  });

  it('falls back to the nearest parent for a field the text does not have', () => {
    expect(locateField(RULE, 'actions[0].title').line).toBe(8);
    expect(locateField(RULE, 'conditions').line).toBe(1);
  });

  it('reports a syntax error at its position', () => {
    const { rule, problems } = parseRuleYaml('key: a\nname: [unclosed\ntrigger: {type: manual}\n');
    expect(rule).toBeUndefined();
    expect(problems[0]).toMatchObject({ field: 'yaml' });
    expect(problems[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it('says which required parts are missing, each on its line', () => {
    const { problems } = parseRuleYaml('key: a\nname: b\ntrigger:\n  event: deal.won\nactions:\n  - type: add_tag\n');
    expect(problems.map((p) => [p.field, p.line])).toEqual([
      ['trigger', 3],
      ['actions[0]', 6],
    ]);
  });

  it('refuses a duplicate key rather than keeping the last one silently', () => {
    expect(parseRuleYaml('key: a\nkey: b\n').problems[0]).toMatchObject({ field: 'yaml', line: 2 });
  });

  it('starts new rules from a template that parses', () => {
    expect(parseRuleYaml(RULE_TEMPLATE).problems).toEqual([]);
  });
});
