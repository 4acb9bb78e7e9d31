// One batch of a company import: rows are matched by domain or external id (read model); new companies are
// created together (RecordStore.createMany) with ids derived from the job and the row, so that a resumed batch
// finishes what an interrupted attempt stored instead of creating it again; known ones are patched.
import { resolveOwnership, ServiceError, type Principal } from '@crm/service-kit';
import { EMPTY_COMPANY, validateCompany, type CompanyFields } from '../domain/company.model';
import { companyRowInput, mappedValues } from '../domain/csv-mapping';
import { companyChangedEntry } from '../events/contact.events';
import type { ContactStore } from '../store/contact-store';
import type { CompanyDoc, ImportJobDoc } from '../store/records';
import type { CompanyService } from './company.service';
import { importRecordId } from './import.service';
import type { BatchImporter, BatchResult, ImportRow } from './import.worker';
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

  async run(job: ImportJobDoc, principal: Principal, rows: ImportRow[]): Promise<BatchResult> {
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
    const existing = await this.store.read.companies.byKeys(job.tenantId, field, [
      ...new Set(parsed.map((p) => p.key)),
    ]);
    const first = new Map<string, ParsedRow>();
    for (const row of parsed) if (!first.has(row.key)) first.set(row.key, row);
    const idOf = new Map([...first.values()].map((row) => [row.key, importRecordId(job, row.row)]));
    // A known company this very batch created in an earlier, interrupted attempt is a creation, not an update.
    const fresh = [...first.values()].filter((row) => {
      const match = existing.get(row.key);
      return !match || match === idOf.get(row.key);
    });
    const ownership = resolveOwnership(principal, {});
    const stored = await this.store.companies.createMany(
      principal,
      fresh.map((row) => ({
        record: { _id: idOf.get(row.key) as string, ...ownership, ...row.fields },
        messages: (state: CompanyDoc) => [
          companyChangedEntry('company.created', state, [], principal, this.store.namespace),
        ],
      })),
    );
    const created = new Set(stored.map((c) => c._id));
    for (const row of fresh) {
      const id = idOf.get(row.key) as string;
      if (created.has(id)) continue;
      await this.store.companies.finish(id, 1);
      if (await this.store.companies.load(id)) created.add(id);
    }
    result.created = created.size;
    for (const row of fresh) existing.set(row.key, idOf.get(row.key) as string);
    for (const row of parsed) {
      const target = existing.get(row.key);
      if (!target || (created.has(target) && first.get(row.key) === row)) continue;
      try {
        const current = await this.companies.get(principal, target);
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
}
