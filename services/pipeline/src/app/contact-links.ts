// Checks the contact and company a user attaches to a deal, as that user, through the contact service.
import type { FieldViolation } from '@crm/service-kit';
import { companySummaryOf, contactSummaryOf, type Caller } from '../clients/contact-directory';
import type { CompanySummary, ContactSummary } from '../domain/deal';
import { invalidFields } from '../domain/invalid-fields';
import type { AppDeps } from './app-deps';

export interface ContactLinks {
  contact: ContactSummary | null;
  company: CompanySummary | null;
}

/** Empty ids mean "none". Unknown, invisible, merged or erased ones are field violations naming the field. */
export async function resolveContactLinks(
  deps: Pick<AppDeps, 'contacts'>,
  caller: Caller,
  contactId: string,
  companyId: string,
): Promise<ContactLinks> {
  const [contact, company] = await Promise.all([
    contactId ? deps.contacts.findContact(caller, contactId) : Promise.resolve(undefined),
    companyId ? deps.contacts.findCompany(caller, companyId) : Promise.resolve(undefined),
  ]);
  const violations: FieldViolation[] = [];
  if (contactId && !contact) violations.push({ field: 'contactId', description: 'is not a contact you can see' });
  else if (contact?.mergedInto)
    violations.push({ field: 'contactId', description: `was merged into contact ${contact.mergedInto}; use that one` });
  else if (contact?.erasedAt) violations.push({ field: 'contactId', description: 'was erased' });
  if (companyId && !company) violations.push({ field: 'companyId', description: 'is not a company you can see' });
  if (violations.length > 0) throw invalidFields(violations);
  return { contact: contact ? contactSummaryOf(contact) : null, company: company ? companySummaryOf(company) : null };
}

/** What the contact service just answered is the freshest summary there is: keep it (newer versions win). */
export async function rememberLinks(
  deps: Pick<AppDeps, 'summaries'>,
  tenantId: string,
  links: ContactLinks,
): Promise<void> {
  await Promise.all([
    links.contact ? deps.summaries.putContact(tenantId, links.contact) : undefined,
    links.company ? deps.summaries.putCompany(tenantId, links.company) : undefined,
  ]);
}
