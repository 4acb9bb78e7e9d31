// Forms built from custom-field definitions: what input each type gets, how its text becomes the typed value the
// API stores, and the same checks the API makes (so most mistakes are named before a round trip).
import type { CustomFieldDefinition, CustomFieldValue } from '../api/types';

export type CustomFieldInput =
  | { kind: 'text'; inputType: 'text' | 'url' | 'email' | 'tel' }
  | { kind: 'number'; step: string }
  | { kind: 'date' }
  | { kind: 'checkbox' }
  | { kind: 'select'; options: { value: string; label: string }[] }
  | { kind: 'multi-select'; options: { value: string; label: string }[] };

/** The form's raw value of a field: text for inputs, a boolean for checkboxes, values for multi-selects. */
export type RawFieldValue = string | boolean | string[];

export function activeDefinitions(definitions: readonly CustomFieldDefinition[]): CustomFieldDefinition[] {
  return definitions.filter((d) => !d.archived);
}

function activeOptions(definition: CustomFieldDefinition, current: readonly string[] = []) {
  // An archived option stays visible on a record that still holds it, so saving does not silently drop it.
  return (definition.options ?? [])
    .filter((o) => !o.archived || current.includes(o.value))
    .map((o) => ({ value: o.value, label: o.label || o.value }));
}

export function inputFor(definition: CustomFieldDefinition, current?: RawFieldValue): CustomFieldInput {
  const held = Array.isArray(current) ? current : typeof current === 'string' && current ? [current] : [];
  switch (definition.type) {
    case 'number':
      return { kind: 'number', step: definition.integer ? '1' : 'any' };
    case 'date':
      return { kind: 'date' };
    case 'boolean':
      return { kind: 'checkbox' };
    case 'single_select':
      return { kind: 'select', options: activeOptions(definition, held) };
    case 'multi_select':
      return { kind: 'multi-select', options: activeOptions(definition, held) };
    case 'url':
      return { kind: 'text', inputType: 'url' };
    case 'email':
      return { kind: 'text', inputType: 'email' };
    case 'phone':
      return { kind: 'text', inputType: 'tel' };
    default:
      return { kind: 'text', inputType: 'text' };
  }
}

/** A stored value as the form shows it. */
export function toRaw(definition: CustomFieldDefinition, value: CustomFieldValue | undefined): RawFieldValue {
  if (definition.type === 'boolean') return value === true;
  if (definition.type === 'multi_select') return Array.isArray(value) ? value.map(String) : [];
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

export function rawValuesOf(
  definitions: readonly CustomFieldDefinition[],
  values: Record<string, unknown> | null | undefined,
): Record<string, RawFieldValue> {
  return Object.fromEntries(
    activeDefinitions(definitions).map((d) => [d.key, toRaw(d, values?.[d.key] as CustomFieldValue | undefined)]),
  );
}

export type Converted = { ok: true; value: CustomFieldValue } | { ok: false; error: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The typed value of one field, or why it is not acceptable. Empty is null (or an error when required). */
export function convert(definition: CustomFieldDefinition, raw: RawFieldValue): Converted {
  if (definition.type === 'boolean') return { ok: true, value: raw === true };
  if (definition.type === 'multi_select') {
    const values = Array.isArray(raw) ? raw : [];
    if (values.length === 0) return definition.required ? { ok: false, error: 'Choose at least one' } : ok(null);
    const allowed = new Set((definition.options ?? []).map((o) => o.value));
    const unknown = values.find((v) => !allowed.has(v));
    return unknown ? { ok: false, error: `"${unknown}" is not an option` } : ok(values);
  }
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return definition.required ? { ok: false, error: 'Required' } : ok(null);
  switch (definition.type) {
    case 'number': {
      const n = Number(text.replace(',', '.'));
      if (!Number.isFinite(n)) return { ok: false, error: 'Enter a number' };
      if (definition.integer && !Number.isInteger(n)) return { ok: false, error: 'Enter a whole number' };
      if (definition.min !== undefined && n < definition.min) return { ok: false, error: `At least ${definition.min}` };
      if (definition.max !== undefined && n > definition.max) return { ok: false, error: `At most ${definition.max}` };
      return ok(n);
    }
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`))
        ? ok(text)
        : { ok: false, error: 'Use a date like 2025-03-31' };
    case 'single_select': {
      const allowed = new Set((definition.options ?? []).map((o) => o.value));
      return allowed.has(text) ? ok(text) : { ok: false, error: 'Choose one of the options' };
    }
    case 'email':
      return EMAIL.test(text) ? ok(text) : { ok: false, error: 'Enter an email address' };
    case 'url':
      try {
        const url = new URL(text);
        return url.protocol === 'http:' || url.protocol === 'https:'
          ? ok(text)
          : { ok: false, error: 'Use an http(s) address' };
      } catch {
        return { ok: false, error: 'Enter a web address, e.g. https://example.com' };
      }
    default:
      if (definition.maxLength !== undefined && text.length > definition.maxLength)
        return { ok: false, error: `At most ${definition.maxLength} characters` };
      return ok(text);
  }
}

function ok(value: CustomFieldValue): Converted {
  return { ok: true, value };
}

export interface CustomFieldsResult {
  values: Record<string, CustomFieldValue>;
  errors: Record<string, string>;
}

/**
 * Every active field converted. With `changedOnly`, only the fields whose value differs from `before` are
 * returned (a merge patch touches nothing else).
 */
export function collectCustomFields(
  definitions: readonly CustomFieldDefinition[],
  raw: Record<string, RawFieldValue>,
  before?: Record<string, unknown> | null,
): CustomFieldsResult {
  const values: Record<string, CustomFieldValue> = {};
  const errors: Record<string, string> = {};
  for (const definition of activeDefinitions(definitions)) {
    const result = convert(definition, raw[definition.key] ?? toRaw(definition, undefined));
    if (!result.ok) {
      errors[definition.key] = result.error;
      continue;
    }
    if (before !== undefined && sameValue(before?.[definition.key] ?? null, result.value)) continue;
    if (before === undefined && result.value === null) continue;
    values[definition.key] = result.value;
  }
  return { values, errors };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  if ((a === false || a === null) && (b === false || b === null)) return true;
  return a === b;
}

/** How a stored value reads in a detail view. */
export function displayValue(definition: CustomFieldDefinition, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (definition.type === 'boolean') return value === true ? 'Yes' : 'No';
  const label = (v: unknown) => definition.options?.find((o) => o.value === v)?.label || String(v);
  if (Array.isArray(value)) return value.length ? value.map(label).join(', ') : '—';
  if (definition.type === 'single_select') return label(value);
  return String(value);
}

/**
 * A definition as the API reads it back, in the shape it is written: unset members come back as null (or empty),
 * and are left out here, so checks see "no maximum" and a saved set round-trips through PUT unchanged.
 */
export function normalizeDefinition(raw: Record<string, unknown>): CustomFieldDefinition {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    if (key === 'options' && Array.isArray(value)) {
      if (value.length === 0) continue;
      out.options = value.map((option) =>
        Object.fromEntries(
          Object.entries(option as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined),
        ),
      );
      continue;
    }
    if ((key === 'description' && value === '') || (key === 'maxLength' && value === 0)) continue;
    out[key] = value;
  }
  return out as unknown as CustomFieldDefinition;
}
