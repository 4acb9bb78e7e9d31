// The PostgreSQL read model crm_ticket: the ticket queues and search, the conversation, and the rotation state of
// automatic assignment. Every index starts with tenant_id; lists are keyset-paginated.
import { sql, type Migration } from 'kysely';
import { jsonb, timerMigrations } from '@crm/service-kit';
import type { TicketRecord } from '../domain/ticket';
import type { CommentRecord } from '../domain/support-records';
import { PRIORITY_RANK } from '../domain/ticket-values';

export interface TicketRow {
  id: string;
  tenant_id: string;
  owner_id: string;
  team_id: string;
  version: number;
  subject: string;
  status: string;
  priority: string;
  priority_rank: number;
  type: string;
  channel: string;
  tags: string[];
  requester_contact_id: string;
  requester_email: string;
  contact_owner_id: string;
  company_id: string;
  sla_due_at: Date | null;
  sla_breached: boolean;
  sla_policy_id: string;
  sla_calendar_id: string;
  is_open: boolean;
  deleted: boolean;
  merged_into: string;
  search_text: string;
  created_at: Date;
  updated_at: Date;
  solved_at: Date | null;
}

export interface CommentRow {
  id: string;
  tenant_id: string;
  owner_id: string;
  team_id: string;
  version: number;
  ticket_id: string;
  public: boolean;
  author_kind: string;
  author_id: string;
  body: string;
  attachments: unknown;
  original_ticket_id: string;
  created_at: Date;
}

export interface RotationRow {
  tenant_id: string;
  group_id: string;
  user_id: string;
  last_assigned: number;
}

export interface TicketDb {
  tickets: TicketRow;
  ticket_comments: CommentRow;
  assignment_rotation: RotationRow;
}

export const ticketMigrations: Record<string, Migration> = {
  ...timerMigrations,
  '001-tickets': {
    async up(db) {
      await sql`
        create table tickets (
          id text primary key,
          tenant_id text not null,
          owner_id text not null,
          team_id text not null,
          version int not null,
          subject text not null,
          status text not null,
          priority text not null,
          priority_rank int not null,
          type text not null,
          channel text not null,
          tags text[] not null,
          requester_contact_id text not null,
          requester_email text not null,
          contact_owner_id text not null,
          company_id text not null,
          sla_due_at timestamptz,
          sla_breached boolean not null,
          sla_policy_id text not null,
          sla_calendar_id text not null,
          is_open boolean not null,
          deleted boolean not null,
          merged_into text not null,
          search_text text not null,
          search tsvector generated always as (to_tsvector('simple', search_text)) stored,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          solved_at timestamptz
        )`.execute(db);
      // Queues: breaching soonest (open tickets with a running clock), newest activity, per group / assignee.
      await sql`create index tickets_due on tickets (tenant_id, sla_due_at, id) where is_open and not deleted`.execute(
        db,
      );
      await sql`create index tickets_updated on tickets (tenant_id, updated_at desc, id desc) where not deleted`.execute(
        db,
      );
      await sql`create index tickets_created on tickets (tenant_id, created_at desc, id desc) where not deleted`.execute(
        db,
      );
      await sql`create index tickets_team on tickets (tenant_id, team_id, status)`.execute(db);
      await sql`create index tickets_owner on tickets (tenant_id, owner_id, status)`.execute(db);
      await sql`create index tickets_contact_owner on tickets (tenant_id, contact_owner_id)`.execute(db);
      await sql`create index tickets_requester on tickets (tenant_id, requester_contact_id)`.execute(db);
      await sql`create index tickets_calendar on tickets (tenant_id, sla_calendar_id) where is_open`.execute(db);
      await sql`create index tickets_tags on tickets using gin (tags)`.execute(db);
      await sql`create index tickets_search on tickets using gin (search)`.execute(db);
      await sql`
        create table ticket_comments (
          id text primary key,
          tenant_id text not null,
          owner_id text not null,
          team_id text not null,
          version int not null,
          ticket_id text not null,
          public boolean not null,
          author_kind text not null,
          author_id text not null,
          body text not null,
          attachments jsonb not null,
          original_ticket_id text not null,
          created_at timestamptz not null
        )`.execute(db);
      await sql`create index ticket_comments_ticket on ticket_comments (tenant_id, ticket_id, created_at, id)`.execute(
        db,
      );
      await sql`
        create table assignment_rotation (
          tenant_id text not null,
          group_id text not null,
          user_id text not null,
          last_assigned bigint not null,
          primary key (tenant_id, group_id, user_id)
        )`.execute(db);
    },
  },
};

/** Accents folded and lower-cased, for the search column and the queries against it. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function ticketRow(ticket: TicketRecord): Record<string, unknown> {
  return {
    id: ticket._id,
    tenant_id: ticket.tenantId,
    owner_id: ticket.ownerId,
    team_id: ticket.teamId,
    version: ticket.version,
    subject: ticket.subject,
    status: ticket.status,
    priority: ticket.priority,
    priority_rank: PRIORITY_RANK[ticket.priority] ?? 0,
    type: ticket.type,
    channel: ticket.channel,
    tags: ticket.tags,
    requester_contact_id: ticket.requesterContactId,
    requester_email: ticket.requesterEmail,
    contact_owner_id: ticket.contactOwnerId,
    company_id: ticket.companyId,
    sla_due_at: ticket.sla?.nextDueAt ?? null,
    sla_breached: ticket.sla?.breached ?? false,
    sla_policy_id: ticket.sla?.policyId ?? '',
    sla_calendar_id: ticket.sla?.calendarId ?? '',
    is_open: !['solved', 'closed'].includes(ticket.status),
    deleted: Boolean(ticket.deletedAt),
    merged_into: ticket.mergedInto,
    search_text: foldText(ticket.searchText),
    created_at: ticket.createdAt,
    updated_at: ticket.updatedAt,
    solved_at: ticket.solvedAt,
  };
}

export function commentRow(comment: CommentRecord): Record<string, unknown> {
  return {
    id: comment._id,
    tenant_id: comment.tenantId,
    owner_id: comment.ownerId,
    team_id: comment.teamId,
    version: comment.version,
    ticket_id: comment.ticketId,
    public: comment.public,
    author_kind: comment.authorKind,
    author_id: comment.authorId,
    body: comment.body,
    attachments: jsonb(comment.attachments),
    original_ticket_id: comment.originalTicketId,
    created_at: comment.createdAt,
  };
}
