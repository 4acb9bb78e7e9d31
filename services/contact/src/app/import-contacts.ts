// One batch of a contact import: rows are matched by email or external id through the uniqueness claims, new
// contacts are inserted together with their claims, existing ones are patched with what the row fills in.
import { ServiceError, type FieldViolation, type Principal } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import { EMPTY_CONTACT, uniqueKeysOf, type ContactFields } from '../domain/contact.model';
import { deriveContactFields } from '../domain/contact-derived';
import { validateContactPatch, validateNewContact, type ContactInputData } from '../domain/contact.validation';
import { contactRowInput, mappedValues } from '../domain/csv-mapping';
import { slotOf } from '../domain/list-slots';
import { normalizeDomain } from '../domain/normalize';
import { contactChangedEntry } from '../events/contact.events';
import { ContactKeys, keysOf, type KeyKind } from '../store/contact-keys.repository';
import type { ContactStore } from '../store/contact-store';
import type { ContactDoc } from '../store/contact.schema';
import type { ImportJobDoc, ImportRowError } from '../store/import.repository';
import type { ContactService } from './contact.service';
import type { BatchImporter, BatchResult, ImportRow } from './import.worker';
import { resolveOwnership } from './ownership';
import { tenantContext, type TenantContext } from './validation-context';
import { publishBatchEvents } from './import-events';

interface ParsedRow {
  row: number;
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

export class ContactBatchImporter implements BatchImporter {
  constructor(
    private readonly store: ContactStore,
    private readonly contacts: ContactService,
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
    const parsed = await this.parse(job, ctx, rows, result.errors);
    const kind: KeyKind = job.matchBy === 'email' ? 'email' : 'ext';
    // Contacts an earlier, interrupted attempt at this very batch already inserted.
    const resumed = new Map(
      (resuming ? await this.store.contacts.findByImportBatch(job.tenantId, batchKey) : []).map((c) => [c._id, c]),
    );
    const ownership = resolveOwnership(principal, '', '');
    const fresh = new Map<string, ContactDoc>();
    for (const row of parsed)
      if (!fresh.has(row.key)) fresh.set(row.key, this.newContact(job, row, ownership, batchKey));
    // Claim first, look up second: inserting the match keys tells which rows are new in one round trip, and only
    // the keys already taken need their owners read (one lookup by _id each).
    const taken = await this.store.keys.claimMany(
      job.tenantId,
      [...fresh.entries()].map(([value, doc]) => ({ kind, value, contactId: doc._id })),
    );
    const takenValues = [...fresh.keys()].filter((value) =>
      taken.has(ContactKeys.claimId(job.tenantId, { kind, value })),
    );
    const owners = await this.store.keys.owners(job.tenantId, kind, takenValues);
    for (const value of takenValues) fresh.delete(value);
    const inserted = await this.insertNew(job, [...fresh.values()], kind, parsed, result.errors);
    for (const doc of inserted) owners.set(kind === 'email' ? (doc.emails[0]?.address ?? '') : doc.externalId, doc._id);
    const adopted = [...new Set(takenValues.map((v) => owners.get(v) ?? ''))].flatMap((id) => resumed.get(id) ?? []);
    const created = [...adopted, ...inserted];
    result.created = created.length;
    await publishBatchEvents(
      this.store,
      job.tenantId,
      batchKey,
      created.map((c) => contactChangedEntry('contact.created', c, [], principal, this.store.namespace)),
    );
    const createdIds = new Set(created.map((c) => c._id));
    const firstRowOf = new Map<string, number>();
    for (const row of parsed) if (!firstRowOf.has(row.key)) firstRowOf.set(row.key, row.row);
    for (const row of parsed) {
      const owner = owners.get(row.key);
      // The first row of a contact this batch created is that creation; later rows for it are updates.
      if (!owner || (createdIds.has(owner) && firstRowOf.get(row.key) === row.row)) continue;
      await this.update(principal, ctx, row, owner, result);
    }
    return result;
  }

  private async parse(
    job: ImportJobDoc,
    ctx: TenantContext,
    rows: ImportRow[],
    errors: ImportRowError[],
  ): Promise<ParsedRow[]> {
    const candidates = rows.map(({ row, record }) => ({ row, values: mappedValues(record, job.mapping, 'contact') }));
    const domains = [
      ...new Set(
        candidates
          .map((c) => c.values.get('company_domain') ?? '')
          .filter((d) => d)
          .map((d) => (normalizeDomain(d).ok ? (normalizeDomain(d) as { value: string }).value : d)),
      ),
    ];
    const companies = new Map(
      (await this.store.companies.byKeys(job.tenantId, 'domain', domains)).map((c) => [c.domain, c]),
    );
    const parsed: ParsedRow[] = [];
    for (const { row, values } of candidates) {
      const { input, companyDomain } = contactRowInput(values, ctx.definitions);
      const fail = (violations: FieldViolation[]) =>
        errors.push(...violations.map((v) => ({ row, field: v.field, message: v.description })));
      let company: ParsedRow['company'];
      if (companyDomain) {
        const domain = normalizeDomain(companyDomain);
        const match = domain.ok ? companies.get(domain.value) : undefined;
        if (!match) {
          fail([{ field: 'company_domain', description: `no company with the domain "${companyDomain}"` }]);
          continue;
        }
        company = { companyId: match._id, companyName: match.name, companyDomain: match.domain };
        input.companyId = '';
      }
      try {
        const fields = validateNewContact(input, { ...ctx, requiredFields: [] }, EMPTY_CONTACT);
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
          ...new Set(
            [...values.entries()]
              .filter(([, v]) => v !== '')
              .map(([f]) => ROW_FIELD_TO_INPUT[f] ?? (f.startsWith('custom_fields.') ? f : f)),
          ),
        ];
        parsed.push({ row, key, fields, input, present, company });
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        fail(error.violations.length > 0 ? error.violations : [{ field: '', description: error.message }]);
      }
    }
    return parsed;
  }

  private newContact(
    job: ImportJobDoc,
    row: ParsedRow,
    ownership: { ownerId: string; teamId: string },
    batchKey: string,
  ): ContactDoc {
    const now = new Date();
    const company = row.company ?? { companyId: '', companyName: '', companyDomain: '' };
    const fields = { ...row.fields, ...company };
    return {
      _id: uuidv7(),
      tenantId: job.tenantId,
      ...ownership,
      ...fields,
      ...deriveContactFields(fields),
      version: 1,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      outbox: [],
      lastActivityAt: null,
      mergedInto: '',
      mergedSources: [],
      erasedAt: null,
      importBatch: batchKey,
      updatedSlot: slotOf(now),
    };
  }

  /** Claims the other keys of the new contacts in one round trip; a row whose email or phone is taken is an error. */
  private async insertNew(
    job: ImportJobDoc,
    docs: ContactDoc[],
    matchKind: KeyKind,
    parsed: ParsedRow[],
    errors: ImportRowError[],
  ): Promise<ContactDoc[]> {
    const isMatchKey = (doc: ContactDoc, k: { kind: KeyKind; value: string }) =>
      k.kind === matchKind && k.value === (matchKind === 'email' ? doc.emails[0]?.address : doc.externalId);
    const claims = docs.flatMap((doc) =>
      keysOf(uniqueKeysOf(doc))
        .filter((k) => !isMatchKey(doc, k))
        .map((k) => ({ ...k, contactId: doc._id })),
    );
    const taken = await this.store.keys.claimMany(job.tenantId, claims);
    const ok: ContactDoc[] = [];
    for (const doc of docs) {
      const keys = keysOf(uniqueKeysOf(doc));
      const clash = keys.find((k) => !isMatchKey(doc, k) && taken.has(ContactKeys.claimId(job.tenantId, k)));
      if (!clash) {
        ok.push(doc);
        continue;
      }
      await this.store.keys.release(job.tenantId, doc._id, keys);
      const row =
        parsed.find(
          (p) => p.fields.emails[0]?.address === doc.emails[0]?.address && p.fields.externalId === doc.externalId,
        )?.row ?? 0;
      errors.push({
        row,
        field: clash.kind === 'ext' ? 'external_id' : clash.kind,
        message: `"${clash.value}" already belongs to another contact`,
      });
    }
    await this.store.contacts.slots.mark(
      job.tenantId,
      ok.map((doc) => doc.updatedAt),
    );
    await this.store.contacts.insertManyRaw(ok);
    return ok;
  }

  /** Patches an existing contact with the row's non-empty cells: lists are united, nothing is cleared. */
  private async update(
    principal: Principal,
    ctx: TenantContext,
    row: ParsedRow,
    contactId: string,
    result: BatchResult,
  ): Promise<void> {
    const current = await this.store.contacts.findById(principal, contactId);
    if (!current)
      return void result.errors.push({ row: row.row, field: '', message: 'matches a contact you cannot change' });
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
    try {
      const patch = validateContactPatch(input, paths, current, { ...ctx, requiredFields: [] });
      const company = row.company && row.company.companyId !== current.companyId ? row.company : {};
      const set = { ...patch, ...company };
      result.updated++;
      if (Object.keys(set).length === 0) return void result.unchanged++;
      const changed = Object.keys(set);
      await this.contacts.applyChange(
        principal,
        current,
        current.version,
        { ...set, ...deriveContactFields({ ...current, ...set }) },
        changed,
      );
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      result.updated--;
      const violations =
        error.violations.length > 0
          ? error.violations
          : [{ field: error.metadata.field ?? '', description: error.message }];
      result.errors.push(...violations.map((v) => ({ row: row.row, field: v.field, message: v.description })));
    }
  }
}
