// What rules can name: the events they react to, the records actions change and those records' fields. Kept in
// one place so that validation at save, the event decoder and the actions agree.

export type Entity = 'contact' | 'company' | 'deal' | 'ticket' | 'activity' | 'task';
export type RecordEntity = 'contact' | 'company' | 'deal' | 'ticket';

export const EVENT_TYPES: readonly string[] = [
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'contact.restored',
  'contact.merged',
  'contact.erased',
  'company.created',
  'company.updated',
  'company.deleted',
  'company.restored',
  'activity.logged',
  'deal.created',
  'deal.updated',
  'deal.stage_changed',
  'deal.won',
  'deal.lost',
  'deal.reopened',
  'deal.deleted',
  'deal.restored',
  'ticket.created',
  'ticket.updated',
  'ticket.deleted',
  'ticket.solved',
  'ticket.closed',
  'ticket.reopened',
  'ticket.comment_added',
  'ticket.merged',
  'ticket.sla_warning',
  'ticket.sla_breached',
  'ticket.sla_fulfilled',
  'ticket.csat_requested',
  'ticket.csat_answered',
  'task.created',
  'task.updated',
  'task.completed',
  'task.deleted',
  'workflow.form_submitted',
];

export function entityOf(eventType: string): Entity | undefined {
  const entity = eventType.split('.')[0];
  return (['contact', 'company', 'deal', 'ticket', 'activity', 'task'] as const).find((e) => e === entity);
}

/** Fields an update_record action may set, per record type (owner and team change through assign_owner). */
export const WRITABLE_FIELDS: Record<RecordEntity, Record<string, 'string' | 'strings'>> = {
  contact: {
    firstName: 'string',
    lastName: 'string',
    title: 'string',
    companyId: 'string',
    lifecycleStage: 'string',
    leadSource: 'string',
    tags: 'strings',
    tier: 'string',
    externalId: 'string',
  },
  company: {
    name: 'string',
    domain: 'string',
    website: 'string',
    industry: 'string',
    size: 'string',
    parentCompanyId: 'string',
    externalId: 'string',
  },
  deal: {
    title: 'string',
    contactId: 'string',
    companyId: 'string',
    expectedCloseDate: 'string',
    nextStep: 'string',
  },
  ticket: {
    subject: 'string',
    priority: 'string',
    status: 'string',
    type: 'string',
    tags: 'strings',
    companyId: 'string',
  },
};

/** Records that carry tags. */
export const TAGGED: readonly RecordEntity[] = ['contact', 'ticket'];

export function isWritableField(entity: RecordEntity, field: string): boolean {
  if (field.startsWith('customFields.')) return /^customFields\.[A-Za-z][A-Za-z0-9_]{0,62}$/.test(field);
  return field in WRITABLE_FIELDS[entity];
}

/** camelCase API path → the proto's update_mask path. */
export function maskPath(field: string): string {
  if (field.startsWith('customFields.')) return `custom_fields.${field.slice('customFields.'.length)}`;
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
