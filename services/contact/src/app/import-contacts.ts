// One batch of a contact import, in a few round trips whatever its size: one read-model query says which of the
// batch's emails and phones existing contacts have (a hint: their claims are read, not inserted, since a duplicate
// is what a bulk insert does slowest); the rows' match keys (email or external id) are claimed for new records in
// one bulk insert, which tells new rows from known ones; the other keys of the new contacts are claimed in one
// more; the new contacts are created together (RecordStore.createMany: one batch of events, one of snapshots, one
// read-model insert, the stream, one mark). Rows matching an existing contact patch it. Every
// new record's id is derived from the job and the row, so a batch resumed after its worker died recognises the
// claims and events the dead worker left as its own, and creates nothing twice.
import {
  resolveOwnership,
  sameKey,
  ServiceError,
  UniqueClaims,
  type FieldViolation,
  type Principal,
  type UniqueKey,
} from '@crm/service-kit';
import { EMPTY_CONTACT, inputNames, uniqueKeysOf, type ContactFields } from '../domain/contact.model';
import { validateContactPatch, validateNewContact, type ContactInputData } from '../domain/contact.validation';
import { contactRowInput, mappedValues } from '../domain/csv-mapping';
import { normalizeDomain } from '../domain/normalize';
import { contactChangedEntry } from '../events/contact.events';
import type { ContactStore } from '../store/contact-store';
import type { ContactDoc, ImportJobDoc, ImportRowError } from '../store/records';
import { forEachBounded } from './bounded';
import { assertLive, type ContactService } from './contact.service';
import { importRecordId } from './import.service';
import type { BatchImporter, BatchResult, ImportRow } from './import.worker';
import { tenantContext, type TenantContext } from './validation-context';

interface ParsedRow {
  row: number;
  /** The value rows are matched by (the first email, or the external id). */
  key: string;
  fields: ContactFields;
  input: ContactInputData;
  /** ContactInput names the row has values for; an update touches only these. */
  present: string[];
  company: { companyId: string; companyName: string; companyDomain: string } | undefined;
}

const ROW_FIELD_TO_INPUT: Record<string, string> = {
  email: 'emails',
  emails: 'emails',
  phone: 'phones',
  phones: 'phones',
  street: 'address',
  city: 'address',
  region: 'address',
  postal_code: 'address',
  country: 'address',
  company_domain: 'company_id',
};

/** Rows matching existing contacts are patched this many at a time. */
const UPDATE_CONCURRENCY = 8;

export class ContactBatchImporter implements BatchImporter {
  constructor(
    private readonly store: ContactStore,
    private readonly contacts: ContactService,
  ) {}

  async run(job: ImportJobDoc, principal: Principal, rows: ImportRow[]): Promise<BatchResult> {
    const ctx = await tenantContext(this.store, job.tenantId);
    const result: BatchResult = { created: 0, updated: 0, unchanged: 0, errors: [] };
    const parsed = await this.parse(job, ctx, rows, result.errors);
    const kind = job.matchBy === 'email' ? 'email' : 'ext';
    // The first row of each key creates the contact when the key is new; later rows of the key update it.
    const first = new Map<string, ParsedRow>();
    for (const row of parsed) if (!first.has(row.key)) first.set(row.key, row);
    const idOf = new Map([...first.values()].map((row) => [row.key, importRecordId(job, row.row)]));
    const inUse = await this.keysInUse(job.tenantId, parsed);
    const taken = await this.store.keys.claimMany(
      job.tenantId,
      [...first.keys()].map((value) => ({ kind, value, holderId: idOf.get(value) as string })),
      { probablyTaken: inUse },
    );
    const known = [...first.keys()].filter((value) => taken.has(UniqueClaims.claimId(job.tenantId, { kind, value })));
    const holders = await this.store.keys.holders(job.tenantId, kind, known);
    const fresh = [...first.values()].filter((row) => !holders.has(row.key));
    const created = await this.createNew(job, principal, fresh, idOf, kind, inUse, result.errors);
    result.created = created.size;
    for (const [key, id] of idOf) if (created.has(id)) holders.set(key, id);

    // Rows of a known contact, and later rows of one this batch created, patch it (in row order per contact).
    const updates = new Map<string, ParsedRow[]>();
    for (const row of parsed) {
      const holder = holders.get(row.key);
      if (!holder || (created.has(holder) && first.get(row.key) === row)) continue;
      updates.set(holder, [...(updates.get(holder) ?? []), row]);
    }
    await forEachBounded([...updates], UPDATE_CONCURRENCY, async ([contactId, forContact]) => {
      for (const row of forContact) await this.update(principal, ctx, row, contactId, result);
    });
    return result;
  }

  /**
   * Claims the other unique keys of the new contacts (a row whose email or phone belongs to another contact is an
   * error, and its claims are given back), then creates the rest at once. Returns the ids created by this batch,
   * including those an earlier, interrupted attempt at it stored (finished now).
   */
  private async createNew(
    job: ImportJobDoc,
    principal: Principal,
    rows: ParsedRow[],
    idOf: Map<string, string>,
    matchKind: 'email' | 'ext',
    inUse: ReadonlySet<string>,
    errors: ImportRowError[],
  ): Promise<Set<string>> {
    const ownership = resolveOwnership(principal, {});
    const isMatchKey = (row: ParsedRow, key: UniqueKey) => key.kind === matchKind && key.value === row.key;
    const otherKeys = (row: ParsedRow) => uniqueKeysOf(row.fields).filter((k) => !isMatchKey(row, k));
    const taken = await this.store.keys.claimMany(
      job.tenantId,
      rows.flatMap((row) => otherKeys(row).map((k) => ({ ...k, holderId: idOf.get(row.key) as string }))),
      { probablyTaken: inUse },
    );
    const ok: ParsedRow[] = [];
    for (const row of rows) {
      const id = idOf.get(row.key) as string;
      const clash = otherKeys(row).find((k) => taken.has(UniqueClaims.claimId(job.tenantId, k)));
      if (!clash) {
        ok.push(row);
        continue;
      }
      await this.store.keys.release(
        job.tenantId,
        id,
        uniqueKeysOf(row.fields).filter((k) => !sameKey(k, clash)),
      );
      errors.push({
        row: row.row,
        field: clash.kind === 'ext' ? 'external_id' : clash.kind,
        message: `"${clash.value}" already belongs to another contact`,
      });
    }
    const stored = await this.store.contacts.createMany(
      principal,
      ok.map((row) => ({
        record: {
          _id: idOf.get(row.key) as string,
          ...ownership,
          ...row.fields,
          ...(row.company ?? { companyId: '', companyName: '', companyDomain: '' }),
          mergedInto: '',
          mergedSources: [],
          erasedAt: null,
        },
        messages: (state: ContactDoc) => [
          contactChangedEntry('contact.created', state, [], principal, this.store.namespace),
        ],
      })),
    );
    const created = new Set(stored.map((c) => c._id));
    // Ids taken already are this batch's own, from an attempt whose worker died: finish what it left.
    for (const row of ok) {
      const id = idOf.get(row.key) as string;
      if (created.has(id)) continue;
      await this.store.contacts.finish(id, 1);
      if (await this.store.contacts.load(id)) created.add(id);
    }
    return created;
  }

  /** Claim ids of the batch's emails and phones that the read model shows in use. */
  private async keysInUse(tenantId: string, rows: readonly ParsedRow[]): Promise<Set<string>> {
    const emails = new Set(rows.flatMap((r) => r.fields.emails.map((e) => e.address)));
    const phones = new Set(rows.flatMap((r) => r.fields.phones.map((p) => p.number)));
    const keys = await this.store.read.contacts.keysInUse(tenantId, [...emails], [...phones]);
    return new Set(keys.map((k) => UniqueClaims.claimId(tenantId, k)));
  }

  private async parse(
    job: ImportJobDoc,
    ctx: TenantContext,
    rows: ImportRow[],
    errors: ImportRowError[],
  ): Promise<ParsedRow[]> {
    const candidates = rows.map(({ row, record }) => ({ row, values: mappedValues(record, job.mapping, 'contact') }));
    const domainOf = (raw: string) => {
      const domain = normalizeDomain(raw);
      return domain.ok ? domain.value : raw;
    };
    const companies = await this.store.read.companies.byDomains(job.tenantId, [
      ...new Set(
        candidates
          .map((c) => c.values.get('company_domain') ?? '')
          .filter((d) => d)
          .map(domainOf),
      ),
    ]);
    const parsed: ParsedRow[] = [];
    for (const { row, values } of candidates) {
      const { input, companyDomain } = contactRowInput(values, ctx.definitions);
      const fail = (violations: FieldViolation[]) =>
        errors.push(...violations.map((v) => ({ row, field: v.field, message: v.description })));
      let company: ParsedRow['company'];
      if (companyDomain) {
        const match = companies.get(domainOf(companyDomain));
        if (!match) {
          fail([{ field: 'company_domain', description: `no company with the domain "${companyDomain}"` }]);
          continue;
        }
        company = { companyId: match.id, companyName: match.name, companyDomain: match.domain };
        input.companyId = '';
      }
      try {
        const fields = validateNewContact(input, { ...ctx, requiredFields: [] }, EMPTY_CONTACT);
        if (company) fields.companyId = company.companyId;
        const key = job.matchBy === 'email' ? (fields.emails[0]?.address ?? '') : fields.externalId;
        if (!key) {
          fail([
            {
              field: job.matchBy === 'email' ? 'email' : 'external_id',
              description: 'is required: rows are matched by it',
            },
          ]);
          continue;
        }
        const present = [
          ...new Set([...values.entries()].filter(([, v]) => v !== '').map(([f]) => ROW_FIELD_TO_INPUT[f] ?? f)),
        ];
        parsed.push({ row, key, fields, input, present, company });
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        fail(error.violations.length > 0 ? error.violations : [{ field: '', description: error.message }]);
      }
    }
    return parsed;
  }

  /**
   * Patches an existing contact with the row's non-empty cells: lists are united, nothing is cleared. New keys are
   * claimed first; the write names the version read, and is re-read and retried when the contact moved meanwhile.
   */
  private async update(
    principal: Principal,
    ctx: TenantContext,
    row: ParsedRow,
    contactId: string,
    result: BatchResult,
  ): Promise<void> {
    const fail = (field: string, message: string) => result.errors.push({ row: row.row, field, message });
    for (let attempt = 0; ; attempt++) {
      const current = await this.store.contacts.find(principal, contactId);
      if (!current) return void fail('', 'matches a contact you cannot change');
      try {
        assertLive(current);
        const set = this.patchOf(row, current, ctx);
        if (Object.keys(set).length === 0) {
          result.updated++;
          result.unchanged++;
          return;
        }
        const added = uniqueKeysOf({ ...current, ...set }).filter(
          (k) => !uniqueKeysOf(current).some((c) => sameKey(c, k)),
        );
        await this.contacts.claimOrThrow(current.tenantId, current._id, added, false);
        try {
          await this.store.contacts.update(principal, current._id, current.version, () => ({
            set,
            messages: (next) => [
              contactChangedEntry(
                'contact.updated',
                next,
                inputNames(Object.keys(set)),
                principal,
                this.store.namespace,
              ),
            ],
          }));
        } catch (error) {
          await this.store.keys.release(current.tenantId, current._id, added);
          throw error;
        }
        result.updated++;
        return;
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        if (error.code === 'FAILED_PRECONDITION' && error.reason === 'VERSION_MISMATCH' && attempt < 3) continue;
        const violations =
          error.violations.length > 0
            ? error.violations
            : [{ field: String(error.metadata.field ?? ''), description: error.message }];
        for (const v of violations) fail(v.field, v.description);
        return;
      }
    }
  }

  private patchOf(row: ParsedRow, current: ContactDoc, ctx: TenantContext): Partial<ContactDoc> {
    const input: ContactInputData = {
      ...row.input,
      emails: [
        ...current.emails,
        ...row.fields.emails
          .filter((e) => !current.emails.some((c) => c.address === e.address))
          .map((e) => ({ ...e, primary: false })),
      ],
      phones: [
        ...current.phones,
        ...row.fields.phones
          .filter((p) => !current.phones.some((c) => c.number === p.number))
          .map((p) => ({ ...p, primary: false })),
      ],
      tags: [...new Set([...current.tags, ...row.fields.tags])],
    };
    const paths = row.present.filter((p) => p !== 'company_id');
    const patch = paths.length > 0 ? validateContactPatch(input, paths, current, { ...ctx, requiredFields: [] }) : {};
    const company = row.company && row.company.companyId !== current.companyId ? row.company : {};
    return { ...patch, ...company };
  }
}
