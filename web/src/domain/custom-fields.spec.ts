import { describe, expect, it } from 'vitest';
import type { CustomFieldDefinition } from '../api/types';
import {
  collectCustomFields,
  convert,
  displayValue,
  inputFor,
  normalizeDefinition,
  rawValuesOf,
  toRaw,
} from './custom-fields';

const defs: CustomFieldDefinition[] = [
  { key: 'budget', label: 'Budget', type: 'number', min: 0, max: 1_000_000 },
  { key: 'seats', label: 'Seats', type: 'number', integer: true, required: true },
  { key: 'renewal', label: 'Renewal', type: 'date' },
  { key: 'vip', label: 'VIP', type: 'boolean' },
  {
    key: 'segment',
    label: 'Segment',
    type: 'single_select',
    options: [
      { value: 'smb', label: 'SMB' },
      { value: 'ent', label: 'Enterprise' },
      { value: 'old', label: 'Legacy', archived: true },
    ],
  },
  {
    key: 'products',
    label: 'Products',
    type: 'multi_select',
    options: [
      { value: 'crm', label: 'CRM' },
      { value: 'desk', label: 'Helpdesk' },
    ],
  },
  { key: 'site', label: 'Site', type: 'url' },
  { key: 'billing', label: 'Billing email', type: 'email' },
  { key: 'code', label: 'Code', type: 'text', maxLength: 4 },
  { key: 'gone', label: 'Gone', type: 'text', archived: true },
];

const def = (key: string) => defs.find((d) => d.key === key)!;

describe('inputs from definitions', () => {
  it('gives each type its input', () => {
    expect(inputFor(def('budget'))).toEqual({ kind: 'number', step: 'any' });
    expect(inputFor(def('seats'))).toEqual({ kind: 'number', step: '1' });
    expect(inputFor(def('renewal')).kind).toBe('date');
    expect(inputFor(def('vip')).kind).toBe('checkbox');
    expect(inputFor(def('site'))).toEqual({ kind: 'text', inputType: 'url' });
    expect(inputFor(def('billing'))).toEqual({ kind: 'text', inputType: 'email' });
  });

  it('offers active options only, unless the record still holds an archived one', () => {
    expect(inputFor(def('segment'))).toEqual({
      kind: 'select',
      options: [
        { value: 'smb', label: 'SMB' },
        { value: 'ent', label: 'Enterprise' },
      ],
    });
    const held = inputFor(def('segment'), 'old');
    expect(held.kind === 'select' && held.options.map((o) => o.value)).toEqual(['smb', 'ent', 'old']);
  });

  it('reads stored values into form values, leaving archived fields out', () => {
    expect(rawValuesOf(defs, { budget: 1200, vip: true, products: ['crm'], gone: 'x' })).toEqual({
      budget: '1200',
      seats: '',
      renewal: '',
      vip: true,
      segment: '',
      products: ['crm'],
      site: '',
      billing: '',
      code: '',
    });
    expect(toRaw(def('vip'), null)).toBe(false);
  });
});

describe('converting and checking values', () => {
  it('converts numbers, dates, booleans and selections to what the API stores', () => {
    expect(convert(def('budget'), '1250.5')).toEqual({ ok: true, value: 1250.5 });
    expect(convert(def('budget'), '12,5')).toEqual({ ok: true, value: 12.5 });
    expect(convert(def('renewal'), '2025-03-31')).toEqual({ ok: true, value: '2025-03-31' });
    expect(convert(def('vip'), true)).toEqual({ ok: true, value: true });
    expect(convert(def('segment'), 'ent')).toEqual({ ok: true, value: 'ent' });
    expect(convert(def('products'), ['crm', 'desk'])).toEqual({ ok: true, value: ['crm', 'desk'] });
    expect(convert(def('budget'), '  ')).toEqual({ ok: true, value: null });
  });

  it('names what is wrong the way the API would refuse it', () => {
    expect(convert(def('budget'), 'lots')).toEqual({ ok: false, error: 'Enter a number' });
    expect(convert(def('budget'), '-1')).toEqual({ ok: false, error: 'At least 0' });
    expect(convert(def('seats'), '2.5')).toEqual({ ok: false, error: 'Enter a whole number' });
    expect(convert(def('seats'), '')).toEqual({ ok: false, error: 'Required' });
    expect(convert(def('renewal'), '31/03/2025').ok).toBe(false);
    expect(convert(def('segment'), 'huge')).toEqual({ ok: false, error: 'Choose one of the options' });
    expect(convert(def('products'), ['crm', 'nope'])).toEqual({ ok: false, error: '"nope" is not an option' });
    expect(convert(def('site'), 'javascript:alert(1)').ok).toBe(false);
    expect(convert(def('site'), 'https://acme.test').ok).toBe(true);
    expect(convert(def('billing'), 'not-an-email').ok).toBe(false);
    expect(convert(def('code'), 'ABCDE')).toEqual({ ok: false, error: 'At most 4 characters' });
  });

  it('collects a create body with only the filled fields, and every error by key', () => {
    expect(collectCustomFields(defs, { seats: '3', vip: false, products: [] })).toEqual({
      values: { seats: 3, vip: false },
      errors: {},
    });
    expect(collectCustomFields(defs, { seats: 'x', budget: '-5' }).errors).toEqual({
      seats: 'Enter a number',
      budget: 'At least 0',
    });
  });

  it('collects only what changed for a merge patch, clearing with null', () => {
    const before = { budget: 100, seats: 2, vip: true, products: ['crm'] };
    const raw = { ...rawValuesOf(defs, before), budget: '', seats: '2', vip: true, products: ['crm', 'desk'] };
    expect(collectCustomFields(defs, raw, before)).toEqual({
      values: { budget: null, products: ['crm', 'desk'] },
      errors: {},
    });
  });

  it('shows stored values with option labels', () => {
    expect(displayValue(def('segment'), 'ent')).toBe('Enterprise');
    expect(displayValue(def('products'), ['crm', 'desk'])).toBe('CRM, Helpdesk');
    expect(displayValue(def('vip'), false)).toBe('No');
    expect(displayValue(def('budget'), null)).toBe('—');
  });
});

describe('definitions as the API reads them back', () => {
  it('drops unset members, so no maximum means none and PUT gets back what it accepts', () => {
    const read = normalizeDefinition({
      key: 'budget',
      label: 'Budget',
      type: 'number',
      required: false,
      archived: false,
      description: '',
      min: 0,
      max: null,
      maxLength: 0,
      integer: null,
      options: [],
    });
    expect(read).toEqual({ key: 'budget', label: 'Budget', type: 'number', required: false, archived: false, min: 0 });
    expect(convert(read, '120000')).toEqual({ ok: true, value: 120000 });
    expect(
      normalizeDefinition({
        key: 's',
        label: 'S',
        type: 'single_select',
        options: [{ value: 'a', label: 'A', archived: null }],
      }).options,
    ).toEqual([{ value: 'a', label: 'A' }]);
  });
});
