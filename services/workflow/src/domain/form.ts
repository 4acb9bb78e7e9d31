// Web forms: their definition's validation and a submission's checks (fields, honeypot, origin, HMAC). Pure.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FieldViolation } from '@crm/service-kit';
import type { FormDoc, FormFieldDoc } from './records';

export const FORM_TARGETS = ['first_name', 'last_name', 'email', 'phone', 'title', 'lead_source', 'company_name'];

export function formViolations(form: Partial<FormDoc>): FieldViolation[] {
  const v: FieldViolation[] = [];
  if (form.name !== undefined && (!form.name.trim() || form.name.length > 200))
    v.push({ field: 'name', description: 'must be 1 to 200 characters' });
  const fields = form.fields ?? [];
  if (form.fields !== undefined && fields.length === 0)
    v.push({ field: 'fields', description: 'a form needs at least one field' });
  const names = new Set<string>();
  fields.forEach((f, i) => {
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,62}$/.test(f.name))
      v.push({ field: `fields[${i}].name`, description: 'must be a simple name, e.g. "email"' });
    if (names.has(f.name)) v.push({ field: `fields[${i}].name`, description: 'is used twice' });
    names.add(f.name);
    if (f.mapsTo && !FORM_TARGETS.includes(f.mapsTo) && !/^custom_fields\.[A-Za-z][A-Za-z0-9_]{0,62}$/.test(f.mapsTo))
      v.push({
        field: `fields[${i}].mapsTo`,
        description: `is not a contact field (${FORM_TARGETS.join(', ')}, custom_fields.<key>)`,
      });
  });
  if (form.fields !== undefined && !fields.some((f) => f.mapsTo === 'email'))
    v.push({ field: 'fields', description: 'one field must map to email (contacts are upserted by email)' });
  (form.allowedOrigins ?? []).forEach((o, i) => {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?$/.test(o))
      v.push({ field: `allowedOrigins[${i}]`, description: 'must be an origin like https://www.example.com' });
  });
  if (form.honeypotField && names.has(form.honeypotField))
    v.push({ field: 'honeypotField', description: 'must not be one of the fields' });
  const a = form.assignment;
  if (a) {
    if (!['round_robin', 'least_loaded', 'fixed'].includes(a.strategy))
      v.push({ field: 'assignment.strategy', description: 'must be round_robin, least_loaded or fixed' });
    if (a.strategy !== 'fixed' && !a.teamId)
      v.push({ field: 'assignment.teamId', description: 'is required for round_robin and least_loaded' });
    if (a.strategy === 'fixed' && !a.ownerId)
      v.push({ field: 'assignment.ownerId', description: 'is required for fixed' });
  }
  if (form.followUpDueMinutes !== undefined && (form.followUpDueMinutes < 0 || form.followUpDueMinutes > 525_600))
    v.push({ field: 'followUpDueMinutes', description: 'must be between 0 and 525600' });
  return v;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The submitted values by field name, or violations naming the fields. Unknown fields are refused. */
export function submissionValues(
  fields: readonly FormFieldDoc[],
  honeypot: string,
  posted: Record<string, unknown>,
): { values: Record<string, string>; violations: FieldViolation[] } {
  const values: Record<string, string> = {};
  const violations: FieldViolation[] = [];
  for (const [name, value] of Object.entries(posted)) {
    if (name === honeypot) continue;
    if (!fields.some((f) => f.name === name))
      violations.push({ field: name, description: 'is not a field of this form' });
    else if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      violations.push({ field: name, description: 'must be a text value' });
    else if (String(value).length > 5000)
      violations.push({ field: name, description: 'is longer than 5000 characters' });
    else values[name] = String(value).trim();
  }
  for (const field of fields) {
    if (field.required && !values[field.name]) violations.push({ field: field.name, description: 'is required' });
    if (field.mapsTo === 'email' && values[field.name] && !EMAIL.test(values[field.name] as string))
      violations.push({ field: field.name, description: 'is not an email address' });
  }
  return { values, violations };
}

export function honeypotTripped(honeypot: string, posted: Record<string, unknown>): boolean {
  const value = honeypot ? posted[honeypot] : undefined;
  return value !== undefined && value !== null && String(value) !== '';
}

/** X-Crm-Signature "t=<unix seconds>,v1=<hex HMAC-SHA256 of `${t}.${body}`>", within a tolerance. */
export function signatureValid(secret: string, header: string, body: Buffer, now: Date, toleranceSec = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(now.getTime() / 1000 - t) > toleranceSec || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function signFormBody(secret: string, body: Buffer | string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex')}`;
}
