// A CSV row of a deal import read into a deal, or into the reasons it cannot be one. Pure: the stages, the tenant's
// users and the companies the rows name are looked up beforehand and handed in.
import type { FieldViolation } from '@crm/service-kit';
import { isCalendarDate, utcDateOf } from './calendar-date';
import { forecastDateOf, MAX_TEXT_LENGTH, MAX_TITLE_LENGTH, type DealFields } from './deal';
import { isCurrency } from './money';
import { firstOpenStage } from './pipeline';
import { takesDeals, type Stage } from './stage';

/** The fields a column can map to. */
export const IMPORT_FIELDS = [
  'external_id',
  'title',
  'pipeline',
  'stage',
  'amount',
  'amount_minor',
  'currency',
  'owner',
  'team',
  'company',
  'company_external_id',
  'company_domain',
  'company_name',
  'created',
  'expected_close',
  'closed',
  'lost_reason',
  'next_step',
  // Recognised so a row that names products is reported, not silently imported without them (deals have none).
  'products',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Headers people use for the fields, normalised (lower case, runs of non-alphanumerics as "_"). */
const ALIASES: Record<string, ImportField> = {
  id: 'external_id',
  externalid: 'external_id',
  deal_id: 'external_id',
  name: 'title',
  deal: 'title',
  deal_name: 'title',
  pipeline_name: 'pipeline',
  stage_name: 'stage',
  deal_stage: 'stage',
  value: 'amount',
  deal_value: 'amount',
  owner_email: 'owner',
  owner_username: 'owner',
  company_id: 'company_external_id',
  account: 'company',
  account_name: 'company_name',
  created_at: 'created',
  created_date: 'created',
  create_date: 'created',
  expected_close_date: 'expected_close',
  close_date: 'closed',
  closed_at: 'closed',
  closed_date: 'closed',
  actual_close_date: 'closed',
  product: 'products',
  product_name: 'products',
  product_names: 'products',
  line_items: 'products',
};

export function normaliseHeader(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** The field a header maps to without an explicit mapping; custom fields are "custom_fields.<key>". */
export function fieldOfHeader(header: string): string | undefined {
  const normal = normaliseHeader(header);
  if (normal.startsWith('custom_fields.') && normal.length > 'custom_fields.'.length) return normal;
  if ((IMPORT_FIELDS as readonly string[]).includes(normal)) return normal;
  return ALIASES[normal];
}

export function isImportField(field: string): boolean {
  return (
    (IMPORT_FIELDS as readonly string[]).includes(field) || /^custom_fields\.[A-Za-z][A-Za-z0-9_]{0,63}$/.test(field)
  );
}

/** A person of the tenant, from the user directory. */
export interface DirectoryUser {
  userId: string;
  teamIds: string[];
}

/** How the row's company reference came out: one company, none, or several with that name. */
export type CompanyMatch = { kind: 'found'; id: string } | { kind: 'unknown' } | { kind: 'ambiguous'; count: number };

export interface CompanyRef {
  by: 'external_id' | 'domain' | 'name' | 'any';
  value: string;
}

export interface PipelineView {
  id: string;
  name: string;
  isDefault: boolean;
  stages: Stage[];
}

export interface ImportContext {
  pipelines: readonly PipelineView[];
  /** By lower-case email or username. */
  userOf: (emailOrUsername: string) => DirectoryUser | undefined;
  companyOf: (ref: CompanyRef) => CompanyMatch;
  importer: DirectoryUser;
  now: Date;
}

export interface ImportedDeal {
  externalId: string;
  ownerId: string;
  teamId: string;
  /** When the deal was created: from the file, else now. */
  createdAt: Date;
  fields: DealFields;
  /** The raw custom-field values, checked against the definitions by the caller. */
  customFields: Record<string, string>;
}

export type RowOutcome = { ok: true; deal: ImportedDeal } | { ok: false; errors: FieldViolation[] };

/** The company reference of a row: the most specific column given. */
export function companyRefOf(row: Readonly<Record<string, string>>): CompanyRef | undefined {
  for (const by of ['external_id', 'domain', 'name'] as const) {
    const value = row[`company_${by}`]?.trim();
    if (value) return { by, value };
  }
  const any = row.company?.trim();
  return any ? { by: 'any', value: any } : undefined;
}

/** Reads one row (fields already mapped from columns) into a deal, or every reason it cannot be one. */
export function interpretRow(row: Readonly<Record<string, string>>, ctx: ImportContext): RowOutcome {
  const errors: FieldViolation[] = [];
  const get = (field: ImportField) => row[field]?.trim() ?? '';
  const fail = (field: string, description: string) => errors.push({ field, description });

  const externalId = get('external_id');
  if (!externalId) fail('external_id', 'is required: it is what makes importing the file again create nothing new');
  else if (externalId.length > 200) fail('external_id', 'must be at most 200 characters');
  const title = get('title');
  if (!title) fail('title', 'is required');
  else if (title.length > MAX_TITLE_LENGTH) fail('title', `must be at most ${MAX_TITLE_LENGTH} characters`);

  const pipeline = pipelineOf(get('pipeline'), ctx.pipelines);
  if (!pipeline)
    fail(
      'pipeline',
      `"${get('pipeline')}" is not a pipeline${didYouMean(
        get('pipeline'),
        ctx.pipelines.map((p) => p.name),
      )}`,
    );
  const stage = pipeline ? stageOf(get('stage'), pipeline) : undefined;
  if (pipeline && !stage)
    fail(
      'stage',
      `"${get('stage')}" is not a stage of pipeline "${pipeline.name}"` +
        didYouMean(
          get('stage'),
          pipeline.stages.filter((s) => !s.archived).map((s) => s.name),
        ),
    );
  else if (stage && !takesDeals(stage)) fail('stage', `"${stage.name}" is archived and takes no deals`);

  const money = amountOf(get('amount'), get('amount_minor'), get('currency').toUpperCase(), fail);
  const owner = ownerOf(get('owner'), ctx, fail);
  const team = get('team') || owner?.teamIds[0] || '';

  const closed = get('closed') ? instantOf(get('closed'), 'closed', fail) : undefined;
  // Without a created date, a deal closed in the past existed by then at least.
  const created = get('created')
    ? instantOf(get('created'), 'created', fail)
    : closed && closed < ctx.now
      ? closed
      : ctx.now;
  const expectedCloseDate = get('expected_close') ? calendarDateOf(get('expected_close'), 'expected_close', fail) : '';
  if (created && created > ctx.now) fail('created', 'must not be in the future');
  if (closed && closed > ctx.now)
    fail('closed', 'must not be in the future: only deals already closed keep a close date');
  if (closed && created && closed < created) fail('closed', 'must not be before created');
  if (stage && stage.kind !== 'open' && get('closed') === '')
    fail('closed', `is required for a deal in the ${stage.kind} stage "${stage.name}"`);
  if (stage && stage.kind === 'open' && closed)
    fail('closed', `is given but "${stage.name}" is an open stage; name the won or lost stage the deal closed in`);

  if (get('products'))
    fail('products', 'are not imported: deals here have no products; drop the column to import the deal without them');

  const nextStep = get('next_step');
  if (nextStep.length > MAX_TEXT_LENGTH) fail('next_step', `must be at most ${MAX_TEXT_LENGTH} characters`);
  const lostReason = stage?.kind === 'lost' ? get('lost_reason') || 'Not given in the import' : '';
  if (lostReason.length > MAX_TEXT_LENGTH) fail('lost_reason', `must be at most ${MAX_TEXT_LENGTH} characters`);

  const companyRef = companyRefOf(row);
  let companyId = '';
  if (companyRef) {
    const match = ctx.companyOf(companyRef);
    if (match.kind === 'found') companyId = match.id;
    else
      fail(
        companyRef.by === 'any' ? 'company' : `company_${companyRef.by}`,
        match.kind === 'unknown'
          ? `"${companyRef.value}" is not a company of this tenant`
          : `"${companyRef.value}" matches ${match.count} companies; name it by domain or external id`,
      );
  }

  if (errors.length > 0 || !pipeline || !stage || !money || !owner || !created || closed === null)
    return { ok: false, errors };
  const status = stage.kind;
  const closedAt = status === 'open' ? null : (closed ?? null);
  // A closed deal's history: it entered its closing stage when it closed; an open one when it was created.
  const enteredAt = closedAt ?? created;
  const fields: DealFields = {
    title,
    amountMinor: money.amountMinor,
    currency: money.currency,
    pipelineId: pipeline.id,
    stageId: stage.id,
    status,
    contactId: '',
    companyId,
    expectedCloseDate,
    nextStep,
    customFields: {},
    lostReason,
    closedAt,
    rank: '',
    stageHistory: [{ stageId: stage.id, enteredAt, leftAt: null, by: ctx.importer.userId }],
    forecastDate: forecastDateOf({ status, closedAt, expectedCloseDate }),
    externalId,
  };
  const customFields = Object.fromEntries(
    Object.entries(row)
      .filter(([key, value]) => key.startsWith('custom_fields.') && value.trim() !== '')
      .map(([key, value]) => [key.slice('custom_fields.'.length), value.trim()]),
  );
  return {
    ok: true,
    deal: { externalId, ownerId: owner.userId, teamId: team, createdAt: created, fields, customFields },
  };
}

/** ' (did you mean "Proposal"?)' for the one known name a mis-spelling is closest to, else ''. */
export function didYouMean(value: string, names: readonly string[]): string {
  const wanted = value.trim().toLowerCase();
  if (wanted.length < 3) return '';
  // Up to one edit per four letters: "Proposl", "Qualifcation", "Negotation"; not an unrelated word.
  const allowed = Math.max(1, Math.floor(wanted.length / 4));
  const close = names.filter((name) => editDistance(wanted, name.toLowerCase()) <= allowed);
  return close.length === 1 ? ` (did you mean "${close[0]}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function pipelineOf(value: string, pipelines: readonly PipelineView[]): PipelineView | undefined {
  if (!value) return pipelines.find((p) => p.isDefault) ?? pipelines[0];
  const lower = value.toLowerCase();
  return pipelines.find((p) => p.id === value) ?? pipelines.find((p) => p.name.toLowerCase() === lower);
}

function stageOf(value: string, pipeline: PipelineView): Stage | undefined {
  if (!value) return firstOpenStage(pipeline.stages);
  const lower = value.toLowerCase();
  return (
    pipeline.stages.find((s) => s.id === value) ??
    pipeline.stages.find((s) => s.name.toLowerCase() === lower && !s.archived) ??
    pipeline.stages.find((s) => s.name.toLowerCase() === lower)
  );
}

function ownerOf(
  value: string,
  ctx: ImportContext,
  fail: (field: string, description: string) => void,
): DirectoryUser | undefined {
  if (!value) return ctx.importer;
  const user = ctx.userOf(value.toLowerCase());
  if (!user) fail('owner', `"${value}" is not a user of this tenant (by email or username)`);
  return user;
}

/** The minor units of a currency: 2 for USD, 0 for JPY, 3 for KWD. */
export function minorDigitsOf(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

function amountOf(
  amount: string,
  amountMinor: string,
  currency: string,
  fail: (field: string, description: string) => void,
): { amountMinor: number; currency: string } | undefined {
  if (!isCurrency(currency)) {
    fail('currency', currency ? `"${currency}" is not an ISO 4217 currency code` : 'is required');
    return undefined;
  }
  if (amountMinor) {
    if (!/^\d+$/.test(amountMinor) || !Number.isSafeInteger(Number(amountMinor))) {
      fail('amount_minor', 'must be a whole number of minor units, 0 or more');
      return undefined;
    }
    return { amountMinor: Number(amountMinor), currency };
  }
  if (!amount) return { amountMinor: 0, currency };
  const digits = minorDigitsOf(currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match || (match[2] ?? '').length > digits) {
    fail(
      'amount',
      `must be a number such as ${digits > 0 ? `1234.${'5'.padEnd(digits, '0')}` : '1234'}, with at most ${digits} decimals in ${currency}`,
    );
    return undefined;
  }
  const minor = Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(minor)) {
    fail('amount', 'is too large');
    return undefined;
  }
  return { amountMinor: minor, currency };
}

/**
 * A date ("2017-06-30", kept as noon UTC so that it is the same calendar day in every time zone) or a date and time
 * with its offset ("2017-06-30T16:20:00+02:00"). Null when it is neither.
 */
function instantOf(value: string, field: string, fail: (field: string, description: string) => void): Date | null {
  if (isCalendarDate(value)) return new Date(`${value}T12:00:00Z`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const instant = new Date(value);
    if (!Number.isNaN(instant.getTime()) && isCalendarDate(value.slice(0, 10))) return instant;
  }
  fail(
    field,
    'must be a date such as 2017-06-30, or a date and time with its offset such as 2017-06-30T16:20:00+02:00',
  );
  return null;
}

function calendarDateOf(value: string, field: string, fail: (field: string, description: string) => void): string {
  if (isCalendarDate(value)) return value;
  const instant = instantOf(value, field, fail);
  return instant ? utcDateOf(instant) : '';
}
