// The admin-managed records around tickets, as plain data: comments, calendars, policies, macros, agents, groups
// and the tenant's ticket settings. Pure.
import type { CustomFieldDefinition, CustomFieldValues, TenantRecord } from '@crm/service-kit';
import type { Holiday, WorkingInterval } from './business-time';
import type { SlaConditions, SlaTarget } from './sla-policy';
import type { AssignmentMode, TicketStatus } from './ticket-values';

export interface Attachment {
  name: string;
  sizeBytes: number;
  contentType: string;
  url: string;
}

export type AuthorKind = 'agent' | 'requester' | 'system';

/** ownerId = the author, teamId = the ticket's group when written; read through the ticket's visibility. */
export interface CommentRecord extends TenantRecord {
  ticketId: string;
  public: boolean;
  body: string;
  authorKind: AuthorKind;
  authorId: string;
  attachments: Attachment[];
  originalTicketId: string;
}

export interface CalendarRecord extends TenantRecord {
  name: string;
  timeZone: string;
  hours: WorkingInterval[];
  holidays: Holiday[];
}

export interface PolicyRecord extends TenantRecord {
  name: string;
  position: number;
  conditions: SlaConditions;
  calendarId: string;
  targets: SlaTarget[];
  pauseStatuses: TicketStatus[];
  fulfilStatuses: TicketStatus[];
  warningPercent: number;
  enabled: boolean;
}

export interface MacroActions {
  status: string;
  priority: string;
  type: string;
  assigneeId: string;
  groupId: string;
  addTags: string[];
  removeTags: string[];
  customFields: CustomFieldValues;
  reply: string;
  replyPublic: boolean;
}

export interface MacroRecord extends TenantRecord {
  name: string;
  description: string;
  actions: MacroActions;
}

/** _id "<tenant>:<userId>"; ownerId = the agent, so they may set themselves away. */
export interface AgentRecord extends TenantRecord {
  userId: string;
  name: string;
  groupIds: string[];
  calendarId: string;
  away: boolean;
  capacity: number;
}

/** _id "<tenant>:<groupId>". */
export interface GroupRecord extends TenantRecord {
  groupId: string;
  assignment: AssignmentMode;
}

/** _id = the tenant. */
export interface TicketSettingsRecord extends TenantRecord {
  fieldDefinitions: CustomFieldDefinition[];
}

export function agentRecordId(tenantId: string, userId: string): string {
  return `${tenantId}:${userId}`;
}

export function groupRecordId(tenantId: string, groupId: string): string {
  return `${tenantId}:${groupId}`;
}
