// A support history of 20 tickets (and one of another tenant, one deleted, one merged away), with the ticket
// service's business-time figures, SLA target outcomes and CSAT answers chosen per ticket, published as the ticket
// service publishes them: every event carries the ticket after the change. The expected figures are computed here
// from the same rows, independently of the service's SQL. Also tasks and workflow runs for the automation tables.
import { TicketChanged, TicketCommentAdded, TicketCsatAnswered, TicketSlaEvent } from '@crm/proto/crm/ticket/v1/events';
import { Ticket, type SlaTargetState } from '@crm/proto/crm/ticket/v1/ticket';
import { RunChanged, TaskChanged } from '@crm/proto/crm/workflow/v1/events';
import type { PublishedEvent } from './reporting-harness';

export interface Agent {
  userId: string;
  teamId: string;
}

export type SlaStatus = 'fulfilled' | 'breached' | 'breached_fulfilled' | 'running';

export interface TicketRow {
  id: string;
  tenantId: string;
  assignee: Agent;
  channel: string;
  createdAt: Date;
  /** Wall-clock first reply; its business seconds are given apart (the ticket's calendar is not wall-clock). */
  firstReplyAt: Date | null;
  firstReplyBusinessSeconds: number;
  solvedAt: Date | null;
  resolutionBusinessSeconds: number;
  /** The SLA targets' final states; `at` is when each was fulfilled or breached. */
  slas: { metric: string; cycle: number; status: SlaStatus; at: Date | null }[];
  csat: 'good' | 'bad' | null;
  csatAt: Date | null;
  deleted: boolean;
  mergedInto: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Tickets created from 2025-03-01 every 1.5 days: the last ones are solved or answered in April. */
export function supportHistory(agents: { agent: Agent; lead: Agent; globex: Agent }): TicketRow[] {
  const rows: TicketRow[] = [];
  for (let i = 0; i < 20; i++) {
    const createdAt = new Date(Date.UTC(2025, 2, 1, 8) + i * 1.5 * DAY);
    const replied = i % 5 !== 4;
    const solved = i % 3 !== 2;
    const firstReplyAt = replied ? new Date(createdAt.getTime() + (i + 1) * HOUR) : null;
    const solvedAt = solved ? new Date(createdAt.getTime() + 3 * DAY) : null;
    const frBreached = i % 4 === 3;
    const slas: TicketRow['slas'] = [
      {
        metric: 'first_reply',
        cycle: 1,
        status: frBreached ? (replied ? 'breached_fulfilled' : 'breached') : replied ? 'fulfilled' : 'running',
        at: frBreached ? new Date(createdAt.getTime() + 2 * HOUR) : firstReplyAt,
      },
      {
        metric: 'resolution',
        cycle: 1,
        status: solved ? (i % 6 === 1 ? 'breached_fulfilled' : 'fulfilled') : i % 6 === 2 ? 'breached' : 'running',
        at: solved
          ? i % 6 === 1
            ? new Date(createdAt.getTime() + 2 * DAY)
            : solvedAt
          : i % 6 === 2
            ? new Date(createdAt.getTime() + 2 * DAY)
            : null,
      },
    ];
    // Next replies restart: the first occurrence met, the second breached (ticket 0 and 10).
    if (i % 10 === 0)
      slas.push(
        { metric: 'next_reply', cycle: 1, status: 'fulfilled', at: new Date(createdAt.getTime() + 5 * HOUR) },
        { metric: 'next_reply', cycle: 2, status: 'breached', at: new Date(createdAt.getTime() + 30 * HOUR) },
      );
    const csat = solved ? (i % 4 === 0 ? 'good' : i % 4 === 1 ? 'bad' : null) : null;
    rows.push({
      id: `tk-${String(i).padStart(2, '0')}`,
      tenantId: 'acme',
      assignee: i % 2 === 0 ? agents.agent : agents.lead,
      channel: i % 3 === 0 ? 'email' : 'web_form',
      createdAt,
      firstReplyAt,
      // Business time: a third of the wall-clock hours plus ticket-specific minutes (never the wall-clock value).
      firstReplyBusinessSeconds: replied ? ((i + 1) * 3_600) / 3 + i * 60 : 0,
      solvedAt,
      resolutionBusinessSeconds: solved ? 8 * 3_600 + i * 900 : 0,
      slas,
      csat,
      csatAt: csat && solvedAt ? new Date(solvedAt.getTime() + 6 * HOUR) : null,
      deleted: false,
      mergedInto: '',
    });
  }
  const base = rows[0] as TicketRow;
  rows.push(
    { ...base, id: 'tk-deleted', deleted: true },
    { ...base, id: 'tk-merged', mergedInto: base.id },
    { ...base, id: 'tk-globex', tenantId: 'globex', assignee: agents.globex },
  );
  return rows;
}

export interface SupportPeriod {
  /** Inclusive instants [from, to). */
  fromAt: Date;
  toAt: Date;
}

const within = (at: Date | null, p: SupportPeriod) => at !== null && at >= p.fromAt && at < p.toAt;

export interface ExpectedSupport {
  created: number;
  solved: number;
  firstReplyHours: number | null;
  resolutionHours: number | null;
  csatResponses: number;
  csat: number | null;
  /** By target: met, breached, attainment. */
  sla: Record<string, { met: number; breached: number; attainment: number | null }>;
  ids: { created: string[]; firstReplied: string[]; solved: string[]; csat: string[] };
}

/** The support figures of the counted rows (not deleted, not merged), from the rows alone. */
export function expectedSupport(rows: readonly TicketRow[], p: SupportPeriod): ExpectedSupport {
  const live = rows.filter((r) => !r.deleted && !r.mergedInto);
  const created = live.filter((r) => within(r.createdAt, p));
  const replied = live.filter((r) => within(r.firstReplyAt, p));
  const solved = live.filter((r) => within(r.solvedAt, p));
  const answered = live.filter((r) => r.csat !== null && within(r.csatAt, p));
  const good = answered.filter((r) => r.csat === 'good').length;
  const sla: ExpectedSupport['sla'] = {};
  for (const row of live)
    for (const target of row.slas) {
      if (target.status === 'running' || !within(target.at, p)) continue;
      const entry = (sla[target.metric] ??= { met: 0, breached: 0, attainment: null });
      if (target.status === 'fulfilled') entry.met++;
      else entry.breached++;
    }
  for (const entry of Object.values(sla)) entry.attainment = entry.met / (entry.met + entry.breached);
  const sum = (list: TicketRow[], f: (r: TicketRow) => number) => list.reduce((s, r) => s + f(r), 0);
  return {
    created: created.length,
    solved: solved.length,
    firstReplyHours: replied.length ? sum(replied, (r) => r.firstReplyBusinessSeconds) / replied.length / 3_600 : null,
    resolutionHours: solved.length ? sum(solved, (r) => r.resolutionBusinessSeconds) / solved.length / 3_600 : null,
    csatResponses: answered.length,
    csat: answered.length ? good / answered.length : null,
    sla,
    ids: {
      created: created.map((r) => r.id).sort(),
      firstReplied: replied.map((r) => r.id).sort(),
      solved: solved.map((r) => r.id).sort(),
      csat: answered.map((r) => r.id).sort(),
    },
  };
}

/** The ticket as the ticket service would publish it at `at`: what had happened by then. */
function ticketAt(row: TicketRow, at: Date, version: number): Ticket {
  const happened = (when: Date | null) => when !== null && when <= at;
  const targets: SlaTargetState[] = row.slas
    // The ticket shows each metric's current occurrence: the newest cycle that had started by then.
    .filter((s) => s.cycle === 1 || happened(new Date(row.createdAt.getTime() + s.cycle * 10 * HOUR)))
    .filter((s, _, all) => !all.some((o) => o.metric === s.metric && o.cycle > s.cycle))
    .map((s) => {
      const done = happened(s.at);
      const status = done ? s.status : 'running';
      return {
        metric: s.metric,
        status,
        targetSeconds: 3_600,
        businessHours: true,
        startedAt: row.createdAt,
        dueAt: undefined,
        warnAt: undefined,
        elapsedSeconds: 0,
        pausedSeconds: 0,
        fulfilledAt: done && status.endsWith('fulfilled') ? (s.at ?? undefined) : undefined,
        breachedAt: done && status.startsWith('breached') ? (s.at ?? undefined) : undefined,
        warnedAt: undefined,
        cycle: s.cycle,
      };
    });
  const replied = happened(row.firstReplyAt);
  const solved = happened(row.solvedAt);
  const answered = row.csat !== null && happened(row.csatAt);
  return Ticket.fromPartial({
    id: row.id,
    tenantId: row.tenantId,
    subject: `Ticket ${row.id}`,
    description: '',
    requesterContactId: '',
    requesterEmail: '',
    contactOwnerId: '',
    companyId: '',
    priority: 'normal',
    status: solved ? 'solved' : replied ? 'open' : 'new',
    type: '',
    tags: [],
    customFields: undefined,
    assigneeId: row.assignee.userId,
    groupId: row.assignee.teamId,
    channel: row.channel,
    dealIds: [],
    mergedInto: row.mergedInto,
    sla: { policyId: 'policy-1', targets },
    csat: answered ? { rating: row.csat as string, comment: '', answeredAt: row.csatAt ?? undefined } : undefined,
    commentCount: replied ? 1 : 0,
    firstRepliedAt: replied ? (row.firstReplyAt ?? undefined) : undefined,
    solvedAt: solved ? (row.solvedAt ?? undefined) : undefined,
    closedAt: undefined,
    version,
    createdAt: row.createdAt,
    updatedAt: at,
    deletedAt: row.deleted ? at : undefined,
    firstReplyBusinessSeconds: replied ? row.firstReplyBusinessSeconds : 0,
    resolutionBusinessSeconds: solved ? row.resolutionBusinessSeconds : 0,
  });
}

/** Every event of a ticket's life, one version per change, as the ticket service publishes them. */
export function ticketEvents(row: TicketRow): PublishedEvent[] {
  const changes: {
    at: Date;
    type: string;
    kind: 'changed' | 'comment' | 'sla' | 'csat';
    target?: TicketRow['slas'][number];
  }[] = [{ at: row.createdAt, type: 'ticket.created', kind: 'changed' }];
  if (row.firstReplyAt) changes.push({ at: row.firstReplyAt, type: 'ticket.comment_added', kind: 'comment' });
  for (const target of row.slas)
    if (target.at && target.status !== 'running')
      changes.push({
        at: target.at,
        type: target.status === 'fulfilled' ? 'ticket.sla_fulfilled' : 'ticket.sla_breached',
        kind: 'sla',
        target,
      });
  if (row.solvedAt) changes.push({ at: row.solvedAt, type: 'ticket.solved', kind: 'changed' });
  if (row.csat && row.csatAt) changes.push({ at: row.csatAt, type: 'ticket.csat_answered', kind: 'csat' });
  if (row.deleted || row.mergedInto) {
    const last = changes.reduce((a, c) => (c.at > a ? c.at : a), row.createdAt);
    changes.push({
      at: new Date(last.getTime() + HOUR),
      type: row.deleted ? 'ticket.deleted' : 'ticket.updated',
      kind: 'changed',
    });
  }
  changes.sort((a, b) => a.at.getTime() - b.at.getTime());
  return changes.map((change, i) => {
    const version = i + 1;
    const ticket = ticketAt(row, change.at, version);
    let payloadType = 'crm.ticket.v1.TicketChanged';
    let payload: Uint8Array;
    if (change.kind === 'comment') {
      payloadType = 'crm.ticket.v1.TicketCommentAdded';
      payload = TicketCommentAdded.encode(TicketCommentAdded.fromPartial({ ticket, firstReply: true })).finish();
    } else if (change.kind === 'sla') {
      payloadType = 'crm.ticket.v1.TicketSlaEvent';
      const target = ticket.sla?.targets.find(
        (t) => t.metric === change.target?.metric && t.cycle === change.target?.cycle,
      );
      payload = TicketSlaEvent.encode(TicketSlaEvent.fromPartial({ ticket, target, policyId: 'policy-1' })).finish();
    } else if (change.kind === 'csat') {
      payloadType = 'crm.ticket.v1.TicketCsatAnswered';
      payload = TicketCsatAnswered.encode(TicketCsatAnswered.fromPartial({ ticket, csat: ticket.csat })).finish();
    } else payload = TicketChanged.encode(TicketChanged.fromPartial({ ticket, changedFields: [] })).finish();
    return {
      id: `${row.id}-v${version}`,
      type: change.type,
      tenantId: row.tenantId,
      aggregateId: row.id,
      aggregateVersion: version,
      ownerId: row.assignee.userId,
      teamId: row.assignee.teamId,
      payloadType,
      payload,
      occurredAt: change.at,
    };
  });
}

export interface TaskRow {
  id: string;
  owner: Agent;
  dueAt: Date;
  completedAt: Date | null;
  status: 'open' | 'completed' | 'cancelled';
}

export interface RunRow {
  id: string;
  ruleId: string;
  ruleName: string;
  subjectType: string;
  status: 'succeeded' | 'failed' | 'cancelled' | 'running';
  owner: Agent;
  finishedAt: Date | null;
}

export function taskEvents(row: TaskRow, tenantId = 'acme'): PublishedEvent[] {
  const createdAt = new Date(row.dueAt.getTime() - 5 * DAY);
  const task = (version: number, status: string) =>
    TaskChanged.encode(
      TaskChanged.fromPartial({
        task: {
          id: row.id,
          tenantId,
          title: row.id,
          status,
          dueAt: row.dueAt,
          ownerId: row.owner.userId,
          teamId: row.owner.teamId,
          completedAt: status === 'completed' ? (row.completedAt ?? undefined) : undefined,
          version,
          createdAt,
        },
      }),
    ).finish();
  const event = (version: number, type: string, status: string, at: Date): PublishedEvent => ({
    id: `${row.id}-v${version}`,
    type,
    tenantId,
    aggregateId: row.id,
    aggregateVersion: version,
    ownerId: row.owner.userId,
    teamId: row.owner.teamId,
    payloadType: 'crm.workflow.v1.TaskChanged',
    payload: task(version, status),
    occurredAt: at,
  });
  const events = [event(1, 'task.created', 'open', createdAt)];
  if (row.status === 'completed' && row.completedAt)
    events.push(event(2, 'task.completed', 'completed', row.completedAt));
  if (row.status === 'cancelled') events.push(event(2, 'task.updated', 'cancelled', createdAt));
  return events;
}

export function runEvents(row: RunRow, tenantId = 'acme'): PublishedEvent[] {
  const startedAt = new Date((row.finishedAt ?? new Date('2025-03-15T00:00:00Z')).getTime() - HOUR);
  const run = (version: number, status: string, finishedAt: Date | null) =>
    RunChanged.encode(
      RunChanged.fromPartial({
        run: {
          id: row.id,
          tenantId,
          ruleId: row.ruleId,
          ruleName: row.ruleName,
          triggerType: 'event',
          subjectType: row.subjectType,
          subjectId: `${row.subjectType}-1`,
          status,
          ownerId: row.owner.userId,
          teamId: row.owner.teamId,
          version,
          createdAt: startedAt,
          finishedAt: finishedAt ?? undefined,
        },
      }),
    ).finish();
  const event = (version: number, status: string, at: Date, finishedAt: Date | null): PublishedEvent => ({
    id: `${row.id}-v${version}`,
    type: `workflow.run_${status === 'running' ? 'started' : status}`,
    tenantId,
    aggregateId: row.id,
    aggregateVersion: version,
    ownerId: row.owner.userId,
    teamId: row.owner.teamId,
    payloadType: 'crm.workflow.v1.RunChanged',
    payload: run(version, status, finishedAt),
    occurredAt: at,
  });
  const events = [event(1, 'running', startedAt, null)];
  if (row.status !== 'running' && row.finishedAt) events.push(event(2, row.status, row.finishedAt, row.finishedAt));
  return events;
}
