// One batch of a company import: rows are matched by domain or external id; new companies are inserted in bulk.
import { ServiceError, type Principal } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import { EMPTY_COMPANY, validateCompany, type CompanyFields } from '../domain/company.model';
import { slotOf } from '../domain/list-slots';
import { companyRowInput, mappedValues } from '../domain/csv-mapping';
import { companySearchTokens } from '../domain/search-tokens';
import { companyChangedEntry } from '../events/contact.events';
import type { CompanyDoc } from '../store/company.schema';
import type { ContactStore } from '../store/contact-store';
import type { ImportJobDoc } from '../store/import.repository';
import type { CompanyService } from './company.service';
import { publishBatchEvents } from './import-events';
import type { BatchImporter, BatchResult, ImportRow } from './import.worker';
import { resolveOwnership } from './ownership';
import { tenantContext } from './validation-context';

const ROW_FIELD_TO_INPUT: Record<string, string> = {
  annual_revenue_minor: 'annual_revenue',
  currency: 'annual_revenue',
  street: 'address',
  city: 'address',
  region: 'address',
  postal_code: 'address',
  country: 'address',
};

interface ParsedRow {
  row: number;
  key: string;
  fields: CompanyFields;
  input: Parameters<typeof validateCompany>[0];
  present: string[];
}

export class CompanyBatchImporter implements BatchImporter {
  constructor(
    private readonly store: ContactStore,
    private readonly companies: CompanyService,
  ) {}

  async run(
    job: ImportJobDoc,
    principal: Principal,
    batchKey: string,
    rows: ImportRow[],
    resuming: boolean,
  ): Promise<BatchResult> {
    const ctx = await tenantContext(this.store, job.tenantId);
    const result: BatchResult = { created: 0, updated: 0, unchanged: 0, errors: [] };
    const parsed: ParsedRow[] = [];
    for (const { row, record } of rows) {
      const values = mappedValues(record, job.mapping, 'company');
      const { input, problems } = companyRowInput(values, ctx.companyDefinitions);
      try {
        if (problems.length > 0) throw new ServiceError('INVALID_ARGUMENT', 'invalid', { violations: problems });
        const fields = {
          ...EMPTY_COMPANY,
          ...validateCompany(input, 'all', EMPTY_COMPANY, { definitions: ctx.companyDefinitions, requiredFields: [] }),
        };
        const key = job.matchBy === 'domain' ? fields.domain : fields.externalId;
        if (!key) {
          result.errors.push({
            row,
            field: job.matchBy === 'domain' ? 'domain' : 'external_id',
            message: 'is required: rows are matched by it',
          });
          continue;
        }
        const present = [
          ...new Set([...values.entries()].filter(([, v]) => v !== '').map(([f]) => ROW_FIELD_TO_INPUT[f] ?? f)),
        ];
        parsed.push({ row, key, fields, input, present });
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        result.errors.push(...error.violations.map((v) => ({ row, field: v.field, message: v.description })));
      }
    }
    const field = job.matchBy === 'domain' ? 'domain' : 'externalId';
    const existing = new Map(
      (await this.store.companies.byKeys(job.tenantId, field, [...new Set(parsed.map((p) => p.key))])).map((c) => [
        c[field],
        c,
      ]),
    );
    const resumed = resuming
      ? (await this.store.companies.findByImportBatch(job.tenantId, batchKey)).filter((c) => c.version === 1)
      : [];
    const ownership = resolveOwnership(principal, '', '');
    const fresh = new Map<string, CompanyDoc>();
    const updates: ParsedRow[] = [];
    for (const row of parsed) {
      const match = existing.get(row.key);
      if (match && resumed.some((r) => r._id === match._id)) continue;
      if (match || fresh.has(row.key)) updates.push(row);
      else fresh.set(row.key, this.newCompany(job, row, ownership, batchKey));
    }
    await this.store.companies.slots.mark(
      job.tenantId,
      [...fresh.values()].map((company) => company.updatedAt),
    );
    await this.store.companies.insertManyRaw([...fresh.values()]);
    for (const doc of fresh.values()) existing.set(doc[field], doc);
    const created = [...resumed, ...fresh.values()];
    result.created = created.length;
    await publishBatchEvents(
      this.store,
      job.tenantId,
      batchKey,
      created.map((c) => companyChangedEntry('company.created', c, [], principal, this.store.namespace)),
    );
    for (const row of updates) {
      const target = existing.get(row.key);
      if (!target) continue;
      try {
        const current = await this.companies.get(principal, target._id);
        const updated = await this.companies.update(principal, current._id, current.version, row.input, row.present);
        result.updated++;
        if (updated.version === current.version) result.unchanged++;
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        const violations =
          error.violations.length > 0
            ? error.violations
            : [
                {
                  field: '',
                  description: error.code === 'NOT_FOUND' ? 'matches a company you cannot change' : error.message,
                },
              ];
        result.errors.push(...violations.map((v) => ({ row: row.row, field: v.field, message: v.description })));
      }
    }
    return result;
  }

  private newCompany(
    job: ImportJobDoc,
    row: ParsedRow,
    ownership: { ownerId: string; teamId: string },
    batchKey: string,
  ): CompanyDoc {
    const now = new Date();
    return {
      _id: uuidv7(),
      tenantId: job.tenantId,
      ...ownership,
      ...row.fields,
      searchTokens: companySearchTokens(row.fields),
      version: 1,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      outbox: [],
      importBatch: batchKey,
      updatedSlot: slotOf(now),
    };
  }
}
