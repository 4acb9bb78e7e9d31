// Deal imports (issue 12, migrating a sales history in): a CSV is stored as a job, and a worker of any instance
// runs it in batches. Each row is matched by its external id, a claim per tenant (kit UniqueClaims) that names the
// deal holding it, so importing the file again creates nothing new; rows that reference unknown stages, owners or
// companies are reported by row and write nothing. A closed deal keeps its dates as its history: its created and
// closed dates are the record's and its events', so a deal won in 2017 counts as won in 2017.
import { parse } from 'csv-parse/sync';
import { v7 as uuidv7 } from 'uuid';
import {
  customFieldValuesFromText,
  invalidArgument,
  notFound,
  pageSize,
  resolveOwnership,
  validateCustomFieldValues,
  type CustomFieldDefinition,
  type FieldViolation,
  type Page,
  type Principal,
  type UniqueClaims,
} from '@crm/service-kit';
import type { Logger } from 'pino';
import type { TenantDirectory, UserDirectory } from '../clients/user-directory';
import {
  companyRefOf,
  fieldOfHeader,
  interpretRow,
  isImportField,
  type CompanyMatch,
  type CompanyRef,
  type ImportContext,
  type ImportedDeal,
} from '../domain/deal-import';
import { appendRank } from '../domain/rank';
import { dealEvents } from '../events/deal-events';
import type { DealRecord } from '../store/deal.records';
import type { ClaimedJob, ColumnMapping, DealImportStore, ImportJobView, RowError } from '../store/deal-import.store';
import { assertAdmin, requireId, type AppDeps } from './app-deps';
import { createdFields } from './create-deal';
import { ensureDefaultPipeline, stageLookupOf } from './pipelines';

export interface ImportDeps {
  app: AppDeps;
  jobs: DealImportStore;
  users: UserDirectory;
  /** External ids of deals: kind "ext". */
  claims: UniqueClaims;
  log: Logger;
  /** Rows per batch; a batch is one round of lookups and one bulk create. */
  batchSize?: number;
  leaseMs?: number;
}

export interface ImportHeaderInput {
  entity: string;
  fileName: string;
  mapping: ColumnMapping[];
  matchBy: string;
}

const EXTERNAL_ID = 'ext';
const MAX_ROWS = 200_000;

/** Checks the header and the file's columns before anything is stored, then queues the job. */
export async function startDealImport(
  deps: ImportDeps,
  principal: Principal,
  header: ImportHeaderInput,
  file: Buffer,
): Promise<ImportJobView> {
  assertAdmin(principal);
  const violations: FieldViolation[] = [];
  if (header.entity !== 'deal') violations.push({ field: 'entity', description: 'must be "deal" for this service' });
  if (header.matchBy && header.matchBy !== 'external_id')
    violations.push({ field: 'matchBy', description: 'deals are matched by external_id' });
  header.mapping.forEach((m, i) => {
    if (!isImportField(m.field))
      violations.push({
        field: `mapping[${i}].field`,
        description: `"${m.field}" is not a field a deal can be imported into`,
      });
  });
  if (file.length === 0) violations.push({ field: 'file', description: 'is empty' });
  const columns = violations.length === 0 ? headerFields(file, header.mapping) : [];
  for (const required of ['external_id', 'title'])
    if (violations.length === 0 && !columns.includes(required))
      violations.push({ field: 'file', description: `has no column for ${required}` });
  if (violations.length > 0)
    throw invalidArgument(violations, violations.map((v) => `${v.field} ${v.description}`).join('; '));
  return deps.jobs.insert({
    id: uuidv7(),
    actor: principal,
    fileName: header.fileName || 'deals.csv',
    mapping: header.mapping,
    matchBy: 'external_id',
    file,
    now: deps.app.clock(),
  });
}

export async function getDealImport(deps: ImportDeps, principal: Principal, id: string): Promise<ImportJobView> {
  assertAdmin(principal);
  const job = await deps.jobs.get(principal.tenantId, requireId(id, 'id'));
  if (!job) throw notFound('import');
  return job;
}

export function listDealImports(
  deps: ImportDeps,
  principal: Principal,
  limit: number,
  cursor: string,
): Promise<Page<ImportJobView>> {
  assertAdmin(principal);
  return deps.jobs.list(principal.tenantId, pageSize(limit), cursor);
}

export async function listDealImportErrors(
  deps: ImportDeps,
  principal: Principal,
  id: string,
  limit: number,
  cursor: string,
): Promise<Page<RowError>> {
  await getDealImport(deps, principal, id);
  return deps.jobs.errors(id, pageSize(limit), cursor);
}

/** The fields the file's columns map to: the mapping's, else what each header names. */
function headerFields(file: Buffer, mapping: readonly ColumnMapping[]): string[] {
  const [headers] = parse(file, { bom: true, to_line: 1, relax_column_count: true }) as string[][];
  return (headers ?? []).map((h) => fieldOf(h, mapping)).filter((f): f is string => f !== undefined);
}

function fieldOf(header: string, mapping: readonly ColumnMapping[]): string | undefined {
  if (mapping.length > 0) return mapping.find((m) => m.column === header)?.field;
  return fieldOfHeader(header);
}

/** Runs queued jobs one at a time: at start, when kicked, and every `pollMs`. */
export class DealImportWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: ImportDeps,
    private readonly pollMs = 2_000,
  ) {}

  start(): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
  }

  /** Looks for work now (after a job was queued). */
  kick(): void {
    if (this.stopped) return;
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        const job = await this.deps.jobs.claim(this.leaseMs(), this.deps.app.clock());
        if (!job) return;
        await runJob(this.deps, job, () => this.stopped);
      }
    } catch (error) {
      this.deps.log.warn({ err: error }, 'deal import worker failed; it tries again');
    }
  }

  private leaseMs(): number {
    return this.deps.leaseMs ?? 60_000;
  }
}

interface Row {
  row: number;
  values: Record<string, string>;
}

/** Runs one claimed job from where it stopped; a stop request leaves it for the next worker (its lease ends). */
export async function runJob(deps: ImportDeps, job: ClaimedJob, stopping: () => boolean = () => false): Promise<void> {
  const { app } = deps;
  try {
    const records = parse(job.file, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
    const [headers = [], ...lines] = records;
    if (lines.length > MAX_ROWS) {
      await deps.jobs.finish(
        job.id,
        'failed',
        `the file has ${lines.length} rows; at most ${MAX_ROWS} at once`,
        app.clock(),
      );
      return;
    }
    await deps.jobs.setTotal(job.id, lines.length);
    const fields = headers.map((h) => fieldOf(h, job.mapping));
    const rows: Row[] = lines.map((line, i) => ({
      row: i + 1,
      values: Object.fromEntries(
        fields.flatMap((field, c) => (field ? [[field, line[c] ?? ''] as [string, string]] : [])),
      ),
    }));
    const session = await openSession(deps, job);
    const size = deps.batchSize ?? 200;
    for (let at = job.rowsDone; at < rows.length; at += size) {
      if (stopping()) return;
      const batch = rows.slice(at, at + size);
      const outcome = await importBatch(session, batch);
      const leaseUntil = new Date(app.clock().getTime() + (deps.leaseMs ?? 60_000));
      await deps.jobs.progress(job.id, { rowsDone: at + batch.length, ...outcome }, leaseUntil);
    }
    await deps.jobs.finish(job.id, 'completed', '', app.clock());
  } catch (error) {
    deps.log.error({ err: error, job: job.id }, 'deal import failed');
    await deps.jobs.finish(job.id, 'failed', error instanceof Error ? error.message : String(error), app.clock());
  }
}

/** What a job looks up once: the pipelines, the people, the field definitions, the companies seen so far. */
interface Session {
  deps: ImportDeps;
  job: ClaimedJob;
  actor: Principal;
  context: ImportContext;
  definitions: CustomFieldDefinition[];
  stageOf: ReturnType<typeof stageLookupOf>;
  companies: Map<string, CompanyMatch>;
  /** External ids met in this run of the file, with their row: a second row with one is an error. */
  seen: Map<string, number>;
}

async function openSession(deps: ImportDeps, job: ClaimedJob): Promise<Session> {
  const { app } = deps;
  const actor = job.actor;
  await ensureDefaultPipeline(app, actor.tenantId);
  const [pipelines, directory, settings] = await Promise.all([
    app.pipelines.list(actor.tenantId),
    deps.users.load(actor.tenantId),
    app.settings.get(actor.tenantId),
  ]);
  const companies = new Map<string, CompanyMatch>();
  return {
    deps,
    job,
    actor,
    definitions: settings.customFields,
    stageOf: stageLookupOf(pipelines),
    companies,
    seen: new Map(),
    context: {
      pipelines: pipelines.map((p) => ({ id: p._id, name: p.name, isDefault: p.isDefault, stages: p.stages })),
      userOf: (key) => directory.find(key),
      companyOf: (ref) => companies.get(companyKey(ref)) ?? { kind: 'unknown' },
      importer: importerOf(directory, actor),
      now: app.clock(),
    },
  };
}

function importerOf(directory: TenantDirectory, actor: Principal): { userId: string; teamIds: string[] } {
  return directory.byId(actor.userId) ?? { userId: actor.userId, teamIds: actor.teamIds };
}

interface BatchOutcome {
  created: number;
  updated: number;
  unchanged: number;
  errors: RowError[];
}

async function importBatch(session: Session, batch: readonly Row[]): Promise<BatchOutcome> {
  const { deps, actor } = session;
  await resolveCompanies(session, batch);
  const errors: RowError[] = [];
  const ready: Array<{ row: number; deal: ImportedDeal; customFields: Record<string, unknown> }> = [];
  for (const { row, values } of batch) {
    const outcome = interpretRow(values, session.context);
    const problems = outcome.ok ? [] : outcome.errors;
    let customFields: Record<string, unknown> = {};
    if (outcome.ok) {
      const checked = validateCustomFieldValues(
        session.definitions,
        customFieldValuesFromText(session.definitions, outcome.deal.customFields),
        { mode: 'create', pathPrefix: 'custom_fields' },
      );
      if (checked.ok) customFields = checked.values;
      else problems.push(...checked.violations);
      const first = session.seen.get(outcome.deal.externalId);
      if (first !== undefined && first !== row)
        problems.push({ field: 'external_id', description: `"${outcome.deal.externalId}" is on row ${first} already` });
      else session.seen.set(outcome.deal.externalId, row);
    }
    if (problems.length > 0 || !outcome.ok) {
      errors.push(...problems.map((p) => ({ row, field: p.field, message: p.description })));
      continue;
    }
    ready.push({ row, deal: outcome.deal, customFields });
  }

  // Who holds each external id: a deal imported before (or by a run that died after claiming it).
  const tenantId = actor.tenantId;
  const holders = await deps.claims.holders(
    tenantId,
    EXTERNAL_ID,
    ready.map((r) => r.deal.externalId),
  );
  const fresh = ready.filter((r) => !holders.has(r.deal.externalId));
  const newIds = new Map(fresh.map((r) => [r.deal.externalId, uuidv7({ msecs: r.deal.createdAt.getTime() })]));
  const taken = await deps.claims.claimMany(
    tenantId,
    fresh.map((r) => ({ kind: EXTERNAL_ID, value: r.deal.externalId, holderId: newIds.get(r.deal.externalId) ?? '' })),
  );
  if (taken.size > 0) {
    // Claimed meanwhile by another import: those rows are matches after all.
    const values = fresh.filter((r) => taken.has(claimIdOf(tenantId, r.deal.externalId))).map((r) => r.deal.externalId);
    for (const [value, holder] of await deps.claims.holders(tenantId, EXTERNAL_ID, values)) holders.set(value, holder);
  }
  const idOf = (externalId: string) => holders.get(externalId) ?? newIds.get(externalId) ?? '';
  const existing = await Promise.all(ready.map((r) => deps.app.deals.load(idOf(r.deal.externalId))));
  const toCreate = ready.filter((_, i) => !existing[i]);
  const toMatch = ready.flatMap((r, i) => (existing[i] ? [{ ...r, current: existing[i] as DealRecord }] : []));

  await deps.app.deals.createMany(
    actor,
    toCreate.map(({ deal, customFields }) => newDeal(session, idOf(deal.externalId), deal, customFields)),
  );
  // As the contact imports count them: every matched row is "updated", and of those the ones without a change also
  // "unchanged".
  let unchanged = 0;
  for (const match of toMatch)
    if (!(await updateMatched(session, match.current, match.deal, match.customFields))) unchanged++;
  return { created: toCreate.length, updated: toMatch.length, unchanged, errors };
}

function claimIdOf(tenantId: string, externalId: string): string {
  return `${tenantId}:${EXTERNAL_ID}:${externalId}`;
}

function newDeal(session: Session, id: string, deal: ImportedDeal, customFields: Record<string, unknown>) {
  const { actor } = session;
  const ownership = resolveOwnership(actor, { ownerId: deal.ownerId, teamId: deal.teamId });
  const fields = { ...deal.fields, customFields, rank: appendRank(deal.createdAt) };
  return {
    record: { _id: id, ...ownership, ...fields },
    at: deal.createdAt,
    messages: dealEvents({
      state: 'deal.created',
      signal: fields.status === 'open' ? undefined : fields.status,
      previous: undefined,
      changedFields: createdFields({ ...fields, teamId: ownership.teamId }),
      stageOf: session.stageOf,
      actor,
      namespace: session.deps.app.namespace,
      occurredAt: deal.createdAt,
      signalAt: fields.closedAt ?? undefined,
    }),
  };
}

/**
 * A row whose deal exists: the plain fields the file gives are brought up to date (a deal.updated event); the stage
 * and its history are the deal's own by now and stay. Returns whether anything changed.
 */
async function updateMatched(
  session: Session,
  current: DealRecord,
  deal: ImportedDeal,
  customFields: Record<string, unknown>,
): Promise<boolean> {
  const { actor, deps } = session;
  const wanted: Partial<DealRecord> = {
    title: deal.fields.title,
    amountMinor: deal.fields.amountMinor,
    currency: deal.fields.currency,
    expectedCloseDate: deal.fields.expectedCloseDate,
    nextStep: deal.fields.nextStep,
    companyId: deal.fields.companyId,
    ownerId: deal.ownerId,
    teamId: deal.teamId,
    customFields: { ...current.customFields, ...customFields },
  };
  let changed = false;
  await deps.app.deals.update(
    actor,
    current._id,
    undefined,
    (latest) => {
      const set = Object.fromEntries(
        Object.entries(wanted).filter(
          ([key, value]) => JSON.stringify(value) !== JSON.stringify(latest[key as keyof DealRecord]),
        ),
      ) as Partial<DealRecord>;
      changed = Object.keys(set).length > 0;
      if (!changed) return null;
      return {
        set,
        messages: dealEvents({
          state: 'deal.updated',
          previous: latest,
          changedFields: Object.keys(set).map(pathOf),
          stageOf: session.stageOf,
          actor,
          namespace: deps.app.namespace,
        }),
      };
    },
    { includeDeleted: true },
  );
  return changed;
}

const PATHS: Record<string, string> = {
  amountMinor: 'amount',
  currency: 'amount',
  expectedCloseDate: 'expected_close_date',
  nextStep: 'next_step',
  companyId: 'company_id',
  ownerId: 'owner_id',
  teamId: 'team_id',
  customFields: 'custom_fields',
};

function pathOf(field: string): string {
  return PATHS[field] ?? field;
}

function companyKey(ref: CompanyRef): string {
  return `${ref.by}:${ref.value.toLowerCase()}`;
}

const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const LOOKUP_TIMEOUT_MS = 10_000;
const LOOKUPS_AT_ONCE = 8;

/** Asks the contact service (as the service, for the job's tenant) about every company reference not seen yet. */
async function resolveCompanies(session: Session, batch: readonly Row[]): Promise<void> {
  const refs = new Map<string, CompanyRef>();
  for (const { values } of batch) {
    const ref = companyRefOf(values);
    if (ref && !session.companies.has(companyKey(ref))) refs.set(companyKey(ref), ref);
  }
  const pending = [...refs.entries()];
  const work = async (): Promise<void> => {
    for (let next = pending.shift(); next; next = pending.shift()) {
      const [key, ref] = next;
      session.companies.set(key, await lookUpCompany(session, ref));
    }
  };
  await Promise.all(Array.from({ length: LOOKUPS_AT_ONCE }, work));
}

async function lookUpCompany(session: Session, ref: CompanyRef): Promise<CompanyMatch> {
  const { contacts, clock } = session.deps.app;
  const tenantId = session.actor.tenantId;
  const deadline = new Date(clock().getTime() + LOOKUP_TIMEOUT_MS);
  // Each answer is checked here too: what matches is decided by the value, whatever the filter did.
  const byDomain = async (value: string): Promise<CompanyMatch> => {
    const domain = value.toLowerCase();
    const found = await contacts.companiesMatching(tenantId, { domain }, deadline);
    return matchOf(found.filter((c) => c.domain === domain).map((c) => c.id));
  };
  const byName = async (name: string): Promise<CompanyMatch> => {
    const found = await contacts.companiesMatching(tenantId, { namePrefix: name }, deadline);
    return matchOf(
      found.filter((c) => c.name.localeCompare(name, undefined, { sensitivity: 'base' }) === 0).map((c) => c.id),
    );
  };
  const byExternalId = async (externalId: string): Promise<CompanyMatch> => {
    const found = await contacts.companiesMatching(tenantId, { externalId }, deadline);
    return matchOf(found.filter((c) => c.externalId === externalId).map((c) => c.id));
  };
  switch (ref.by) {
    case 'external_id':
      return byExternalId(ref.value);
    case 'domain':
      return byDomain(ref.value);
    case 'name':
      return byName(ref.value);
    case 'any': {
      const asId = await byExternalId(ref.value);
      if (asId.kind !== 'unknown') return asId;
      return DOMAIN.test(ref.value) ? byDomain(ref.value) : byName(ref.value);
    }
  }
}

function matchOf(ids: readonly string[]): CompanyMatch {
  const unique = [...new Set(ids)];
  if (unique.length === 1) return { kind: 'found', id: unique[0] as string };
  return unique.length === 0 ? { kind: 'unknown' } : { kind: 'ambiguous', count: unique.length };
}
