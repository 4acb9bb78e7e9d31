// Values in actions may take "{{path}}" placeholders over the run's context (event, record, trigger, steps...).
// Only paths, no expressions: a placeholder alone keeps the value's type; inside text it is written out.

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.[\]-]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z0-9_.[\]-]+)\s*\}\}$/;

export function lookup(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (part === '__proto__' || part === 'constructor' || part === 'prototype') return undefined;
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Resolves placeholders in every string of a JSON value. */
export function render(value: unknown, data: unknown): unknown {
  if (typeof value === 'string') return renderString(value, data);
  if (Array.isArray(value)) return value.map((item) => render(item, data));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, data)]));
  return value;
}

function renderString(text: string, data: unknown): unknown {
  const whole = WHOLE.exec(text);
  if (whole) return lookup(data, whole[1] as string) ?? null;
  return text.replace(PLACEHOLDER, (_, path: string) => {
    const found = lookup(data, path);
    if (found === undefined || found === null) return '';
    if (found instanceof Date) return found.toISOString();
    return typeof found === 'object' ? JSON.stringify(found) : String(found);
  });
}

/** Placeholders used in a value, e.g. for validation at save. */
export function placeholdersOf(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
  if (Array.isArray(value)) return value.flatMap(placeholdersOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(placeholdersOf);
  return [];
}
