// The condition language: JSON Logic (jsonlogic.com), evaluated by json-logic-js. Data only, no eval: an
// expression is a JSON value whose objects of one key are operations. Validation at save allows only the listed
// operations, so a rule cannot depend on something this version does not evaluate.
import jsonLogic, { type RulesLogic } from 'json-logic-js';

/** The operations a condition may use (json-logic-js's standard set, minus none: all of them are pure). */
export const CONDITION_OPERATIONS = [
  'var',
  'missing',
  'missing_some',
  'if',
  '?:',
  '==',
  '===',
  '!=',
  '!==',
  '!',
  '!!',
  'or',
  'and',
  '>',
  '>=',
  '<',
  '<=',
  'max',
  'min',
  '+',
  '-',
  '*',
  '/',
  '%',
  'map',
  'reduce',
  'filter',
  'all',
  'none',
  'some',
  'merge',
  'in',
  'cat',
  'substr',
  'log',
] as const;

const ALLOWED = new Set<string>(CONDITION_OPERATIONS.filter((op) => op !== 'log'));

export type Condition = unknown;

/** Problems of an expression, each with the path inside it (empty when it is valid). */
export function conditionProblems(expression: unknown, path = ''): string[] {
  if (expression === null || typeof expression !== 'object') return [];
  if (Array.isArray(expression)) return expression.flatMap((item, i) => conditionProblems(item, `${path}[${i}]`));
  const keys = Object.keys(expression);
  if (keys.length !== 1) return [`${path || 'expression'}: an operation is an object with exactly one key`];
  const op = keys[0] as string;
  if (!ALLOWED.has(op)) return [`${path || 'expression'}: unknown operation "${op}"`];
  const args = (expression as Record<string, unknown>)[op];
  if (op === 'var') {
    const name = Array.isArray(args) ? args[0] : args;
    if (typeof name !== 'string' && typeof name !== 'number')
      return [`${path}.var: must name a variable, e.g. "record.tier"`];
    if (typeof name === 'string' && /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(name))
      return [`${path}.var: "${name}" is not a variable`];
    return [];
  }
  return conditionProblems(args, `${path}.${op}`);
}

/** True when the expression holds for the data; null or undefined always holds. */
export function conditionHolds(expression: unknown, data: unknown): boolean {
  if (expression === null || expression === undefined) return true;
  return jsonLogic.truthy(jsonLogic.apply(expression as RulesLogic, data as object));
}

/** The value of an expression (branches, computed values). */
export function evaluate(expression: unknown, data: unknown): unknown {
  return jsonLogic.apply(expression as RulesLogic, data as object);
}
