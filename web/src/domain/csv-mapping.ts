// Import column mapping: the fields a CSV column can go to, and a first guess from its header, so a typical file
// ("First Name", "E-mail", "Company website") maps itself and the user only fixes what is odd.

export type ImportEntity = 'contact' | 'company';

export interface ImportField {
  field: string;
  label: string;
  /** Header spellings, compared after folding case, accents, spaces and punctuation. */
  aliases: string[];
}

const CONTACT_FIELDS: ImportField[] = [
  {
    field: 'first_name',
    label: 'First name',
    aliases: ['firstname', 'first', 'givenname', 'forename', 'prenom', 'vorname'],
  },
  { field: 'last_name', label: 'Last name', aliases: ['lastname', 'last', 'surname', 'familyname', 'nom', 'nachname'] },
  { field: 'email', label: 'Email', aliases: ['email', 'emailaddress', 'mail', 'e-mail', 'courriel'] },
  { field: 'emails', label: 'Other emails', aliases: ['emails', 'otheremails'] },
  { field: 'phone', label: 'Phone', aliases: ['phone', 'phonenumber', 'telephone', 'tel', 'mobile', 'cell'] },
  { field: 'phones', label: 'Other phones', aliases: ['phones', 'otherphones'] },
  { field: 'title', label: 'Job title', aliases: ['title', 'jobtitle', 'position', 'role'] },
  {
    field: 'company_domain',
    label: 'Company domain',
    aliases: ['companydomain', 'domain', 'website', 'companywebsite'],
  },
  { field: 'company_id', label: 'Company id', aliases: ['companyid'] },
  { field: 'lifecycle_stage', label: 'Lifecycle stage', aliases: ['lifecyclestage', 'stage', 'lifecycle'] },
  { field: 'lead_source', label: 'Lead source', aliases: ['leadsource', 'source'] },
  { field: 'tags', label: 'Tags', aliases: ['tags', 'tag', 'labels'] },
  { field: 'tier', label: 'Tier', aliases: ['tier'] },
  { field: 'street', label: 'Street', aliases: ['street', 'address', 'streetaddress', 'address1'] },
  { field: 'city', label: 'City', aliases: ['city', 'town'] },
  { field: 'region', label: 'Region', aliases: ['region', 'state', 'province', 'county'] },
  { field: 'postal_code', label: 'Postal code', aliases: ['postalcode', 'zip', 'zipcode', 'postcode'] },
  { field: 'country', label: 'Country', aliases: ['country', 'countrycode'] },
  { field: 'external_id', label: 'External id', aliases: ['externalid', 'id', 'recordid'] },
];

const COMPANY_FIELDS: ImportField[] = [
  { field: 'name', label: 'Name', aliases: ['name', 'company', 'companyname', 'organisation', 'organization'] },
  { field: 'domain', label: 'Domain', aliases: ['domain', 'companydomain'] },
  { field: 'website', label: 'Website', aliases: ['website', 'url', 'web', 'homepage'] },
  { field: 'industry', label: 'Industry', aliases: ['industry', 'sector'] },
  { field: 'size', label: 'Size', aliases: ['size', 'employees', 'headcount', 'companysize'] },
  {
    field: 'annual_revenue_minor',
    label: 'Annual revenue (minor units)',
    aliases: ['annualrevenueminor', 'revenueminor'],
  },
  { field: 'currency', label: 'Currency', aliases: ['currency'] },
  { field: 'street', label: 'Street', aliases: ['street', 'address', 'streetaddress', 'address1'] },
  { field: 'city', label: 'City', aliases: ['city', 'town'] },
  { field: 'region', label: 'Region', aliases: ['region', 'state', 'province'] },
  { field: 'postal_code', label: 'Postal code', aliases: ['postalcode', 'zip', 'zipcode', 'postcode'] },
  { field: 'country', label: 'Country', aliases: ['country', 'countrycode'] },
  { field: 'parent_company_id', label: 'Parent company id', aliases: ['parentcompanyid', 'parentid'] },
  { field: 'external_id', label: 'External id', aliases: ['externalid', 'id', 'recordid'] },
];

export function importFields(entity: ImportEntity, customFields: { key: string; label: string }[] = []): ImportField[] {
  const base = entity === 'contact' ? CONTACT_FIELDS : COMPANY_FIELDS;
  return [
    ...base,
    ...customFields.map((f) => ({ field: `custom_fields.${f.key}`, label: f.label, aliases: [f.key, f.label] })),
  ];
}

export function foldHeader(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** column → field for every header that names a field; each field is taken at most once, first column first. */
export function guessMapping(headers: readonly string[], fields: readonly ImportField[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  const taken = new Set<string>();
  for (const header of headers) {
    const folded = foldHeader(header);
    if (!folded) continue;
    const match =
      fields.find((f) => !taken.has(f.field) && foldHeader(f.field) === folded) ??
      fields.find((f) => !taken.has(f.field) && f.aliases.some((a) => foldHeader(a) === folded));
    if (match) {
      mapping[header] = match.field;
      taken.add(match.field);
    }
  }
  return mapping;
}

/** The API's mapping list; unmapped columns are left out (the import ignores them). */
export function mappingList(mapping: Record<string, string>): { column: string; field: string }[] {
  return Object.entries(mapping)
    .filter(([, field]) => field !== '')
    .map(([column, field]) => ({ column, field }));
}

/** Row errors as a CSV the user can download and fix from. */
export function rowErrorsCsv(errors: readonly { row: number; field: string; message: string }[]): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (
    ['row,field,message', ...errors.map((e) => [e.row, e.field, e.message].map(cell).join(','))].join('\r\n') + '\r\n'
  );
}
