// Property: every list, filter, sort order and search of the read model returns, for any principal, exactly the
// records that principal may see (the kit's one visibility rule, scopeAllows) and that match, in the API's
// order, page after page, and none other. Random owners, teams, tenants and roles over contacts and companies
// written through the service's stores.
import fc from 'fast-check';
import { scopeAllows, scopeOf, systemPrincipal, type Principal } from '@crm/service-kit';
import { EMPTY_CONTACT } from '../src/domain/contact.model';
import { EMPTY_COMPANY } from '../src/domain/company.model';
import { foldText, words } from '../src/domain/normalize';
import { parseSearchQuery, phoneSearchDigits, type SearchQuery } from '../src/domain/search-query';
import type { ContactListFilter } from '../src/store/read-model/contact-queries';
import type { CompanyListFilter } from '../src/store/read-model/company-queries';
import type { CompanyDoc, ContactDoc } from '../src/store/records';
import { ContactHarness } from './support/contact-harness';

const TENANTS = ['acme', 'globex'];
const USERS = ['u1', 'u2', 'u3', 'u4', 'u5'];
const TEAMS = ['', 't1', 't2', 't3'];
const STAGES = ['lead', 'customer', 'opportunity'] as const;
const TAGS = ['alpha', 'beta', 'gamma'];
const FIRST = ['Zoë', 'Zoltan', 'Ada', 'Adam', 'José', 'Søren', 'Grace', 'Gregor'];
const LAST = ['Saldaña', 'Sanders', 'Lovelace', 'Hopper', 'Müller', 'Mueller', "O'Neil"];
const COMPANIES = ['Umbrella Corp', 'Umbra Labs', 'Initech', 'Østfold Energi'];
const ROLES: Array<Principal['roles']> = [
  ['crm-admin'],
  ['sales-manager'],
  ['support-manager'],
  ['sales-rep'],
  ['support-agent'],
  ['integration'],
  [],
];

interface World {
  contacts: ContactDoc[];
  companies: CompanyDoc[];
}

const principalArb = fc.record({
  tenantId: fc.constantFrom(...TENANTS),
  userId: fc.constantFrom(...USERS),
  roles: fc.constantFrom(...ROLES),
  teamIds: fc.subarray(TEAMS.filter((t) => t)),
  clientId: fc.constant('test'),
  scopes: fc.subarray(['contacts:read', 'contacts:write', 'companies:read']),
}) as fc.Arbitrary<Principal>;

/** Each filter present one time in three, so that most runs still find something to compare. */
const sometimes = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const contactFilterArb: fc.Arbitrary<ContactListFilter> = fc.record({
  ownerId: sometimes(fc.constantFrom(...USERS)),
  teamId: sometimes(fc.constantFrom(...TEAMS.filter((t) => t))),
  lifecycleStage: sometimes(fc.constantFrom(...STAGES)),
  tag: sometimes(fc.constantFrom(...TAGS, 'ALPHA ')),
  companyId: sometimes(fc.constantFrom('c0', 'c1')),
  includeDeleted: fc.boolean(),
});
/** updatedSince: the updatedAt of one of the contacts (by index), or none. */
const sinceArb = fc.option(fc.nat({ max: 69 }), { nil: undefined });

const companyFilterArb: fc.Arbitrary<CompanyListFilter> = fc.record({
  ownerId: sometimes(fc.constantFrom(...USERS)),
  teamId: sometimes(fc.constantFrom(...TEAMS.filter((t) => t))),
  industry: sometimes(fc.constantFrom('software', 'energy')),
  includeDeleted: fc.boolean(),
  namePrefix: sometimes(fc.constantFrom('umb', 'UMBRA', 'ost', 'lab', 'initech2', 'corp', '12')),
});

const queryArb = fc.constantFrom(
  'zo',
  'ZOE',
  'zoë s',
  'ada',
  'ad lov',
  'sø',
  'soren',
  'muel',
  'mull',
  'oneil',
  "o'n",
  'umbr',
  'initech',
  'zoe.3@',
  'ada.1@mail.example',
  'mail',
  '212555',
  '+1 212-555-01',
  '2125550',
  'gr ho',
  'x',
  'nothing',
);

const newestFirst = (a: { updatedAt: Date; _id: string }, b: { updatedAt: Date; _id: string }) =>
  b.updatedAt.getTime() - a.updatedAt.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0);

/** The words a contact is found by, per field, as the read model stores them (see its migration). */
function searchWords(c: ContactDoc): Record<'name' | 'email' | 'phone' | 'company', string[]> {
  return {
    name: words(`${c.firstName} ${c.lastName}`),
    email: c.emails.flatMap((e) => {
      const folded = foldText(e.address);
      return [folded, folded.split('@')[1] ?? '', ...words(e.address.split('@')[0] ?? '')];
    }),
    phone: c.phones.flatMap((p) => phoneSearchDigits(p.number)),
    company: words(c.companyName),
  };
}

function matches(c: ContactDoc, query: SearchQuery): boolean {
  const all = searchWords(c);
  const has = (list: string[], term: string) => list.some((w) => w.length >= 2 && w.startsWith(term));
  if (query.kind === 'phone') return has(all.phone, query.terms[0] as string);
  if (query.kind === 'email') return has(all.email, foldText(query.terms[0] as string));
  const terms = query.terms.map(foldText);
  if (terms.length === 1) {
    const term = terms[0] as string;
    return [all.name, all.email, all.company, ...(/^\d+$/.test(term) ? [all.phone] : [])].some((l) => has(l, term));
  }
  const every = [...all.name, ...all.email, ...all.phone, ...all.company];
  return terms.every((t) => has(every, t));
}

describe('visibility of every list and search, for random principals, on the real servers', () => {
  const h = new ContactHarness();
  const world: World = { contacts: [], companies: [] };

  beforeAll(async () => {
    await h.start();
    const { store } = h.service;
    const rng = fc.sample(
      fc.array(
        fc.record({
          tenant: fc.constantFrom(...TENANTS),
          owner: fc.constantFrom(...USERS),
          team: fc.constantFrom(...TEAMS),
          first: fc.constantFrom(...FIRST),
          last: fc.constantFrom(...LAST),
          stage: fc.constantFrom(...STAGES),
          tags: fc.subarray(TAGS),
          company: fc.constantFrom(-1, 0, 1),
          phone: fc.boolean(),
          deleted: fc.boolean(),
          touched: fc.integer({ min: 0, max: 5 }),
        }),
        { minLength: 70, maxLength: 70 },
      ),
      { numRuns: 1, seed: 4242 },
    )[0] as Array<{
      tenant: string;
      owner: string;
      team: string;
      first: string;
      last: string;
      stage: (typeof STAGES)[number];
      tags: string[];
      company: number;
      phone: boolean;
      deleted: boolean;
      touched: number;
    }>;
    for (const tenant of TENANTS) {
      const system = systemPrincipal(tenant, 'contact');
      const companies = await store.companies.createMany(
        system,
        Array.from({ length: 16 }, (_, i) => {
          const name = `${COMPANIES[i % COMPANIES.length] as string}${i > 3 ? ` ${i}` : ''}`;
          return {
            record: {
              ...EMPTY_COMPANY,
              _id: `${tenant}-c${String(i).padStart(2, '0')}`,
              ownerId: USERS[(i * 3) % USERS.length] as string,
              teamId: TEAMS[(i * 7) % TEAMS.length] as string,
              name,
              domain: `${foldText(name.split(' ')[0] ?? '')}${i}.example`,
              industry: i % 2 ? 'energy' : 'software',
            },
            messages: () => [],
          };
        }),
      );
      world.companies.push(...companies);
      const mine = rng.map((r, i) => ({ ...r, i })).filter((r) => r.tenant === tenant);
      const created = await store.contacts.createMany(
        system,
        mine.map((r) => {
          const company = r.company >= 0 ? companies[r.company] : undefined;
          return {
            record: {
              ...EMPTY_CONTACT,
              _id: `${tenant}-p${String(r.i).padStart(3, '0')}`,
              ownerId: r.owner,
              teamId: r.team,
              firstName: r.first,
              lastName: r.last,
              emails: [{ address: `${foldText(r.first)}.${r.i}@mail.example`, primary: true, label: '' }],
              phones: r.phone
                ? [{ number: `+1212555${String(100 + r.i).padStart(4, '0')}`, primary: true, label: '' }]
                : [],
              lifecycleStage: r.stage,
              tags: r.tags,
              companyId: company ? `c${r.company}` : '',
              companyName: company?.name ?? '',
              companyDomain: company?.domain ?? '',
              mergedInto: '',
              mergedSources: [],
              erasedAt: null,
            },
            messages: () => [],
          };
        }),
      );
      // Later changes move some to the top of the list (created together, the others tie on updatedAt), and
      // delete some.
      for (const [k, contact] of created.entries()) {
        const r = mine[k] as (typeof mine)[number];
        let current = contact;
        if (r.touched > 2 || r.deleted) {
          current = await store.contacts.update(system, contact._id, undefined, () => ({
            set: { title: `v${r.touched}`, ...(r.deleted ? { deletedAt: new Date() } : {}) },
            messages: () => [],
          }));
        }
        world.contacts.push(current);
      }
      const gone = companies[3] as CompanyDoc;
      const deleted = await store.companies.update(system, gone._id, undefined, () => ({
        set: { deletedAt: new Date() },
        messages: () => [],
      }));
      world.companies.splice(world.companies.indexOf(gone), 1, deleted);
    }
  }, 120_000);

  afterAll(() => h.stop());

  it('lists contacts with any filter, page by page, as exactly what the principal may see', async () => {
    let paged = 0;
    await fc.assert(
      fc.asyncProperty(
        principalArb,
        contactFilterArb,
        sinceArb,
        fc.constantFrom(1, 2, 3, 7, 50),
        async (principal, f, since, limit) => {
          const filter = { ...f, updatedSince: since === undefined ? undefined : world.contacts[since]?.updatedAt };
          const scope = scopeOf(principal, 'contacts', 'read');
          const expected = world.contacts
            .filter((c) => scopeAllows(scope, c))
            .filter((c) => filter.includeDeleted || !c.deletedAt)
            .filter((c) => !filter.ownerId || c.ownerId === filter.ownerId)
            .filter((c) => !filter.teamId || c.teamId === filter.teamId)
            .filter((c) => !filter.lifecycleStage || c.lifecycleStage === filter.lifecycleStage)
            .filter((c) => !filter.tag || c.tags.includes(filter.tag.trim().toLowerCase()))
            .filter((c) => !filter.companyId || c.companyId === filter.companyId)
            .filter((c) => !filter.updatedSince || c.updatedAt >= filter.updatedSince)
            .sort(newestFirst)
            .map((c) => c._id);
          const seen: string[] = [];
          let cursor = '';
          do {
            const page = await h.service.store.read.contacts.list(principal, filter, limit, cursor);
            expect(page.rows.length).toBeLessThanOrEqual(limit);
            seen.push(...page.rows.map((c) => c._id));
            cursor = page.nextCursor;
          } while (cursor && seen.length <= world.contacts.length);
          expect(seen).toEqual(expected);
          if (expected.length > limit) paged++;
        },
      ),
      { numRuns: 150 },
    );
    // Not vacuous: many runs page through several pages of visible contacts.
    expect(paged).toBeGreaterThan(10);
  });

  it('searches contacts as exactly the live matches the principal may see', async () => {
    let hits = 0;
    await fc.assert(
      fc.asyncProperty(principalArb, queryArb, async (principal, text) => {
        const query = parseSearchQuery(text);
        const scope = scopeOf(principal, 'contacts', 'read');
        const expected = query
          ? world.contacts.filter((c) => !c.deletedAt && scopeAllows(scope, c) && matches(c, query)).map((c) => c._id)
          : [];
        const found = query ? await h.service.store.read.contacts.searchCandidates(principal, query) : [];
        expect(found.map((c) => c._id).sort()).toEqual(expected.sort());
        if (expected.length > 0) hits++;
      }),
      { numRuns: 80 },
    );
    expect(hits).toBeGreaterThan(10);
  });

  it('lists companies with any filter, as exactly what the principal may see', async () => {
    let found = 0;
    await fc.assert(
      fc.asyncProperty(principalArb, companyFilterArb, fc.constantFrom(1, 2, 50), async (principal, filter, limit) => {
        const scope = scopeOf(principal, 'companies', 'read');
        const prefix = filter.namePrefix ? words(filter.namePrefix).join(' ') : undefined;
        const expected = world.companies
          .filter((c) => scopeAllows(scope, c) && (filter.includeDeleted || !c.deletedAt))
          .filter((c) => !filter.ownerId || c.ownerId === filter.ownerId)
          .filter((c) => !filter.teamId || c.teamId === filter.teamId)
          .filter((c) => !filter.industry || c.industry === filter.industry)
          .filter(
            (c) =>
              prefix === undefined ||
              ` ${words(c.name).join(' ')}`.includes(` ${prefix}`) ||
              c.domain.startsWith((filter.namePrefix ?? '').trim().toLowerCase()),
          )
          .sort(newestFirst)
          .map((c) => c._id);
        const seen: string[] = [];
        let cursor = '';
        do {
          const page = await h.service.store.read.companies.list(principal, filter, limit, cursor);
          seen.push(...page.rows.map((c) => c._id));
          cursor = page.nextCursor;
        } while (cursor && seen.length <= world.companies.length);
        expect(seen).toEqual(expected);
        if (expected.length > 0) found++;
      }),
      { numRuns: 60 },
    );
    expect(found).toBeGreaterThan(15);
    // And the plainest case: an admin sees every live company of the tenant.
    const admin = { ...systemPrincipal('acme', 'test'), roles: ['crm-admin' as const] };
    const all = await h.service.store.read.companies.list(admin, {}, 200, '');
    expect(all.rows).toHaveLength(world.companies.filter((c) => c.tenantId === 'acme' && !c.deletedAt).length);
    expect(all.rows).toHaveLength(15);
  });
});
