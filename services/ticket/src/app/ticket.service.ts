// Ticket use cases: load, decide (domain), save through the record store with the events of the change.
import { v7 as uuidv7 } from 'uuid';
import {
  hasRole,
  invalidArgument,
  notFound,
  pageSize,
  ServiceError,
  systemPrincipal,
  validateCustomFieldValuesOrThrow,
  type FieldViolation,
  type HistoryEntry,
  type Principal,
} from '@crm/service-kit';
import type { SlaLogEntry } from '../domain/sla-engine';
import {
  normalizeTags,
  searchTextOf,
  statusAfterAgentReply,
  statusAfterRequesterReply,
  statusChangeViolation,
  statusSignal,
  ticketFieldViolations,
  UPDATABLE_PATHS,
  type TicketFields,
  type TicketRecord,
  type UpdatablePath,
} from '../domain/ticket';
import type { Attachment, AuthorKind, CommentRecord, MacroActions } from '../domain/support-records';
import type { Channel, Priority, TicketStatus } from '../domain/ticket-values';
import { ticketMessages, type TicketChange, type TicketEventContext } from '../events/ticket-events';
import {
  TICKET_ORDERS,
  TICKET_VIEWS,
  type TicketOrder,
  type TicketQuery,
  type TicketView,
} from '../store/ticket-queries';
import { ticketScope, ticketVisible } from '../store/ticket-visibility';
import type { AppDeps } from './app-deps';
import { applySla } from './sla-context';

export interface Caller {
  principal: Principal;
  deadline: Date;
}

export interface CommentInput {
  public: boolean;
  body: string;
  attachments: Attachment[];
  authorKind: string;
  status: string;
  expectedVersion: number;
}

const MAX_ATTACHMENTS = 20;

export class TicketService {
  constructor(private readonly deps: AppDeps) {}

  private now(): Date {
    return this.deps.clock();
  }

  private eventContext(principal: Principal): TicketEventContext {
    return { actor: principal, namespace: this.deps.namespace, at: this.now() };
  }

  // ---- reads ----

  async get(principal: Principal, id: string, includeDeleted = false): Promise<TicketRecord> {
    const ticket = await this.deps.stores.tickets.load(id);
    if (!ticket || !ticketVisible(principal, ticket, 'read', includeDeleted)) throw notFound('ticket');
    return ticket;
  }

  async getMany(principal: Principal, ids: readonly string[]): Promise<TicketRecord[]> {
    const found = await Promise.all(ids.map((id) => this.deps.stores.tickets.load(id)));
    return found.filter((t): t is TicketRecord => Boolean(t && ticketVisible(principal, t, 'read')));
  }

  async list(
    principal: Principal,
    request: { filter: TicketQuery; orderBy: string; view: string; limit: number; cursor: string },
  ): Promise<{ tickets: TicketRecord[]; nextCursor: string }> {
    const { query, order } = this.viewQuery(principal, request);
    const limit = pageSize(request.limit);
    const page = await this.deps.queries.page(ticketScope(principal, 'read'), query, order, limit, request.cursor);
    return { tickets: await this.getMany(principal, page.rows), nextCursor: page.nextCursor };
  }

  async search(
    principal: Principal,
    request: { query: string; filter: TicketQuery; limit: number; cursor: string },
  ): Promise<{ tickets: TicketRecord[]; nextCursor: string }> {
    if (!request.query.trim()) throw invalidArgument([{ field: 'query', description: 'is required' }]);
    const limit = pageSize(request.limit);
    const page = await this.deps.queries.page(
      ticketScope(principal, 'read'),
      request.filter,
      'updated_desc',
      limit,
      request.cursor,
      request.query,
    );
    return { tickets: await this.getMany(principal, page.rows), nextCursor: page.nextCursor };
  }

  private viewQuery(
    principal: Principal,
    request: { filter: TicketQuery; orderBy: string; view: string },
  ): { query: TicketQuery; order: TicketOrder } {
    const filter = { ...request.filter };
    if (filter.assigneeId === 'me') filter.assigneeId = principal.userId;
    if (request.orderBy && !(TICKET_ORDERS as readonly string[]).includes(request.orderBy))
      throw invalidArgument([{ field: 'orderBy', description: `must be one of ${TICKET_ORDERS.join(', ')}` }]);
    let order = (request.orderBy || 'updated_desc') as TicketOrder;
    if (!request.view) return { query: filter, order };
    if (!(TICKET_VIEWS as readonly string[]).includes(request.view))
      throw invalidArgument([{ field: 'view', description: `must be one of ${TICKET_VIEWS.join(', ')}` }]);
    const view = request.view as TicketView;
    const open = { ...filter, openOnly: true };
    switch (view) {
      case 'my_open':
        return { query: { ...open, assigneeId: principal.userId }, order };
      case 'unassigned':
        return { query: { ...open, assigneeId: 'none' }, order: request.orderBy ? order : 'created_asc' };
      case 'group_open':
        return { query: { ...open, groupIds: principal.teamIds }, order };
      case 'breaching':
        order = 'sla_due_asc';
        return { query: open, order };
      case 'pending':
        return { query: { ...filter, statuses: ['pending', 'on_hold'] }, order };
      case 'solved':
        return { query: { ...filter, statuses: ['solved'] }, order };
      case 'all_open':
        return { query: open, order };
    }
  }

  async history(principal: Principal, id: string): Promise<HistoryEntry[]> {
    const ticket = await this.get(principal, id, true);
    return this.deps.stores.tickets.history(systemPrincipal(ticket.tenantId, 'ticket'), id);
  }

  // ---- create ----

  async create(caller: Caller, fields: Partial<TicketFields>): Promise<TicketRecord> {
    const { principal } = caller;
    const violations = ticketFieldViolations(fields, true);
    if (violations.length > 0) throw invalidArgument(violations);
    const groupId = fields.groupId || principal.teamIds[0] || '';
    this.assertGroup(principal, groupId, undefined);
    const status = (fields.status || 'new') as TicketStatus;
    if (status === 'closed') throw invalidArgument([{ field: 'status', description: 'a new ticket cannot be closed' }]);
    if (fields.assigneeId) this.assertAssignee(principal, fields.assigneeId);
    // The policies are read (or taken from the cache) while the requester is looked up.
    const tenantSla = this.deps.sla.load(principal.tenantId);
    tenantSla.catch(() => undefined); // awaited below; a failure surfaces there
    // Refused input is refused before the contact service is asked, which may create the requester's contact.
    const customFields = validateCustomFieldValuesOrThrow(
      await this.deps.support.fieldDefinitions(principal.tenantId),
      fields.customFields ?? {},
      { mode: 'create' },
    );
    const requester = fields.requesterContactId
      ? await this.deps.contacts.byId(principal.tenantId, fields.requesterContactId, caller.deadline)
      : await this.deps.contacts.byEmail(
          principal.tenantId,
          fields.requesterEmail ?? '',
          fields.requesterName ?? '',
          caller.deadline,
        );
    const now = this.now();
    const id = uuidv7();
    const build = (assigneeId: string): TicketRecord => {
      const tags = normalizeTags(fields.tags ?? []);
      const base = {
        _id: id,
        tenantId: principal.tenantId,
        ownerId: assigneeId,
        teamId: groupId,
        version: 1,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
        subject: (fields.subject ?? '').trim(),
        description: fields.description ?? '',
        requesterContactId: requester.contactId,
        requesterEmail: fields.requesterEmail || requester.email,
        contactOwnerId: requester.ownerId,
        companyId: fields.companyId || requester.companyId,
        priority: (fields.priority || 'normal') as Priority,
        status,
        type: fields.type ?? '',
        tags,
        customFields,
        channel: (fields.channel || (hasRole(principal, 'integration') ? 'api' : 'web_form')) as Channel,
        dealIds: [...new Set(fields.dealIds ?? [])],
        mergedInto: '',
        slaLog: [{ at: now, kind: 'status', status } satisfies SlaLogEntry],
        slaMarks: {},
        sla: null,
        firstReplyBusinessSeconds: 0,
        resolutionBusinessSeconds: 0,
        csat: null,
        csatTokenId: '',
        commentCount: 0,
        firstRepliedAt: null,
        solvedAt: status === 'solved' ? now : null,
        closedAt: null,
        searchText: '',
      } satisfies TicketRecord;
      return { ...base, searchText: searchTextOf(base) };
    };
    const store = async (assigneeId: string) => {
      const draft = build(assigneeId);
      const sla = applySla(draft, await tenantSla, now);
      const { _id, tenantId: _t, version: _v, createdAt: _c, updatedAt: _u, ...rest } = { ...draft, ...sla.set };
      const changed = Object.keys(fields).map(camelToSnake);
      return this.deps.stores.tickets.create(
        principal,
        { _id, ...rest },
        ticketMessages(this.eventContext(principal), { kind: 'created', changedFields: changed, sla: sla.signals }),
      );
    };
    if (fields.assigneeId) return store(fields.assigneeId);
    return this.deps.assignment.assignAndCreate(principal.tenantId, groupId, now, store);
  }

  // ---- update ----

  async update(
    caller: Caller,
    id: string,
    expectedVersion: number | undefined,
    fields: Partial<TicketFields>,
    paths: readonly string[],
  ): Promise<TicketRecord> {
    const { principal } = caller;
    const unknown = paths.filter((p) => !(UPDATABLE_PATHS as readonly string[]).includes(p.split('.')[0] ?? ''));
    if (unknown.length > 0)
      throw invalidArgument(
        unknown.map((p) => ({ field: 'updateMask', description: `"${p}" is not an updatable field` })),
      );
    const masked = pick(fields, paths);
    const violations = ticketFieldViolations(masked, false);
    if (paths.includes('requester_contact_id') && !fields.requesterContactId)
      violations.push({ field: 'requesterContactId', description: 'cannot be cleared' });
    if (violations.length > 0) throw invalidArgument(violations);
    const current = await this.get(principal, id);
    const requester =
      masked.requesterContactId && masked.requesterContactId !== current.requesterContactId
        ? await this.deps.contacts.byId(principal.tenantId, masked.requesterContactId, caller.deadline)
        : undefined;
    const definitions = paths.some((p) => p.startsWith('custom_fields'))
      ? await this.deps.support.fieldDefinitions(principal.tenantId)
      : [];
    if (masked.groupId !== undefined) this.assertGroup(principal, masked.groupId, current.teamId);
    if (masked.assigneeId) this.assertAssignee(principal, masked.assigneeId);
    const sla = await this.deps.sla.load(principal.tenantId);
    return this.deps.stores.tickets.update(principal, id, expectedVersion, (ticket) => {
      const set: Partial<TicketRecord> = {};
      if (masked.subject !== undefined) set.subject = masked.subject.trim();
      if (masked.description !== undefined) set.description = masked.description;
      if (requester) {
        set.requesterContactId = requester.contactId;
        set.contactOwnerId = requester.ownerId;
        set.requesterEmail = requester.email;
      }
      if (masked.requesterEmail !== undefined) set.requesterEmail = masked.requesterEmail;
      if (masked.companyId !== undefined) set.companyId = masked.companyId;
      if (masked.priority) set.priority = masked.priority as Priority;
      if (masked.type !== undefined) set.type = masked.type;
      if (masked.tags !== undefined) set.tags = normalizeTags(masked.tags);
      if (masked.channel) set.channel = masked.channel as Channel;
      if (masked.dealIds !== undefined) set.dealIds = [...new Set(masked.dealIds)];
      if (masked.groupId !== undefined) set.teamId = masked.groupId;
      if (masked.assigneeId !== undefined) set.ownerId = masked.assigneeId;
      if (paths.some((p) => p.startsWith('custom_fields')))
        set.customFields = validateCustomFieldValuesOrThrow(definitions, customFieldPatch(fields.customFields, paths), {
          mode: 'update',
          existing: ticket.customFields,
        });
      return this.change(principal, ticket, set, masked.status as TicketStatus | undefined, sla);
    });
  }

  /** The stored change of a ticket: fields, the status move and its log entry, the SLA, the events. */
  private change(
    principal: Principal,
    ticket: TicketRecord,
    set: Partial<TicketRecord>,
    status: TicketStatus | undefined,
    sla: Awaited<ReturnType<AppDeps['sla']['load']>>,
    extra: Partial<TicketChange> & { log?: SlaLogEntry[] } = {},
  ) {
    const now = this.now();
    const next: TicketRecord = { ...ticket, ...set };
    const log = [...ticket.slaLog, ...(extra.log ?? [])];
    let csatRequested: TicketChange['csatRequested'];
    if (status && status !== ticket.status) {
      const violation = statusChangeViolation(ticket.status, status);
      if (violation) throw invalidArgument([violation]);
      next.status = status;
      log.push({ at: now, kind: 'status', status });
      if (status === 'solved') {
        next.solvedAt = now;
        next.csatTokenId = uuidv7();
        csatRequested = this.deps.csat.surveyOf(next, now);
      }
      if (status === 'closed') next.closedAt = now;
      if (ticket.status === 'solved' && status !== 'closed') {
        next.solvedAt = null;
        next.csatTokenId = '';
      }
    }
    next.slaLog = log;
    next.searchText = searchTextOf(next);
    const changedFields = changedPaths(ticket, next);
    if (changedFields.length === 0 && !extra.comment && !extra.merged && !extra.csatAnswered) return null;
    const applied = applySla(next, sla, now);
    const stored = { ...next, ...applied.set };
    const { _id: _i, tenantId: _t, version: _v, createdAt: _c, updatedAt: _u, ...fields } = stored;
    return {
      set: fields,
      messages: ticketMessages(this.eventContext(principal), {
        kind: 'updated',
        before: ticket,
        changedFields,
        signal: statusSignal(ticket.status, next.status),
        sla: applied.signals,
        csatRequested,
        ...extra,
      }),
    };
  }

  async delete(principal: Principal, id: string, expectedVersion: number | undefined): Promise<TicketRecord> {
    await this.get(principal, id);
    return this.deps.stores.tickets.update(principal, id, expectedVersion, (ticket) => {
      const now = this.now();
      return {
        set: { deletedAt: now },
        messages: ticketMessages(this.eventContext(principal), {
          kind: 'deleted',
          before: ticket,
          changedFields: ['deleted_at'],
        }),
      };
    });
  }

  // ---- conversation ----

  async addComment(
    caller: Caller,
    ticketId: string,
    input: CommentInput,
  ): Promise<{ comment: CommentRecord; ticket: TicketRecord }> {
    const { principal } = caller;
    const violations: FieldViolation[] = [];
    if (!input.body.trim()) violations.push({ field: 'body', description: 'is required' });
    if (input.body.length > 65_536) violations.push({ field: 'body', description: 'must be at most 65536 characters' });
    const authorKind = (input.authorKind || 'agent') as AuthorKind;
    if (!['agent', 'requester'].includes(authorKind))
      violations.push({ field: 'authorKind', description: 'must be agent or requester' });
    if (authorKind === 'requester' && !input.public)
      violations.push({ field: 'public', description: 'a requester comment is always public' });
    if (input.status && !['new', 'open', 'pending', 'on_hold', 'solved'].includes(input.status))
      violations.push({ field: 'status', description: 'must be new, open, pending, on_hold or solved' });
    violations.push(...attachmentViolations(input.attachments));
    if (violations.length > 0) throw invalidArgument(violations);
    const current = await this.get(principal, ticketId);
    if (!ticketVisible(principal, current, 'write'))
      throw new ServiceError('PERMISSION_DENIED', 'not allowed to comment on this ticket');
    if (current.status === 'closed')
      throw invalidArgument([{ field: 'ticketId', description: 'the ticket is closed; create a follow-up ticket' }]);
    const now = this.now();
    const commentId = uuidv7();
    const comment = await this.deps.stores.comments.create(
      principal,
      {
        _id: commentId,
        ownerId: principal.userId,
        teamId: current.teamId,
        ticketId,
        public: input.public,
        body: input.body,
        authorKind,
        authorId: principal.userId,
        attachments: input.attachments,
        originalTicketId: '',
      },
      () => [],
    );
    const sla = await this.deps.sla.load(principal.tenantId);
    const ticket = await this.deps.stores.tickets.update(
      principal,
      ticketId,
      input.expectedVersion || undefined,
      (t) => {
        const agentReply = authorKind === 'agent' && input.public;
        const log: SlaLogEntry[] = [];
        let status = (input.status || undefined) as TicketStatus | undefined;
        if (agentReply) {
          log.push({ at: now, kind: 'agent_reply' });
          status ??= statusAfterAgentReply(t.status);
        } else if (authorKind === 'requester') {
          log.push({ at: now, kind: 'requester_reply' });
          status ??= statusAfterRequesterReply(t.status);
        }
        const firstReply = agentReply && !t.firstRepliedAt;
        const set: Partial<TicketRecord> = { commentCount: t.commentCount + 1 };
        if (firstReply) set.firstRepliedAt = now;
        return this.change(principal, t, set, status, sla, { log, comment: { record: comment, firstReply } });
      },
    );
    return { comment, ticket };
  }

  async listComments(
    principal: Principal,
    ticketId: string,
    limit: number,
    cursor: string,
  ): Promise<{ comments: CommentRecord[]; nextCursor: string }> {
    const ticket = await this.get(principal, ticketId);
    const page = await this.deps.queries.commentPage(ticket.tenantId, ticketId, pageSize(limit), cursor);
    const comments = await Promise.all(page.rows.map((id) => this.deps.stores.comments.load(id)));
    return { comments: comments.filter((c): c is CommentRecord => Boolean(c)), nextCursor: page.nextCursor };
  }

  // ---- merge ----

  async merge(
    caller: Caller,
    targetId: string,
    sourceIds: readonly string[],
    expectedTargetVersion: number | undefined,
  ): Promise<{ ticket: TicketRecord; merged: string[] }> {
    const { principal } = caller;
    const sources = [...new Set(sourceIds)];
    const violations: FieldViolation[] = [];
    if (sources.length === 0) violations.push({ field: 'sourceIds', description: 'name at least one ticket' });
    if (sources.includes(targetId)) violations.push({ field: 'sourceIds', description: 'cannot contain the target' });
    if (violations.length > 0) throw invalidArgument(violations);
    const target = await this.get(principal, targetId);
    if (!ticketVisible(principal, target, 'write')) throw notFound('ticket');
    if (target.status === 'closed') throw invalidArgument([{ field: 'targetId', description: 'the target is closed' }]);
    const found = await Promise.all(sources.map((id) => this.deps.stores.tickets.load(id)));
    found.forEach((ticket, i) => {
      if (!ticket || !ticketVisible(principal, ticket, 'write') || ticket.tenantId !== target.tenantId)
        violations.push({ field: `sourceIds[${i}]`, description: 'is not a ticket you can change' });
      else if (ticket.mergedInto) violations.push({ field: `sourceIds[${i}]`, description: 'was merged already' });
    });
    if (violations.length > 0) throw invalidArgument(violations);
    const sla = await this.deps.sla.load(principal.tenantId);
    const merged: string[] = [];
    for (const sourceId of sources) {
      await this.deps.stores.tickets.update(principal, sourceId, undefined, (source) => {
        if (source.mergedInto) return null;
        return this.change(principal, source, { mergedInto: targetId }, 'closed', sla);
      });
      merged.push(sourceId);
    }
    const note = await this.deps.stores.comments.create(
      principal,
      {
        _id: uuidv7(),
        ownerId: principal.userId,
        teamId: target.teamId,
        ticketId: targetId,
        public: false,
        body: `Merged ${merged.length} ticket(s) into this one: ${merged.join(', ')}`,
        authorKind: 'system',
        authorId: principal.userId,
        attachments: [],
        originalTicketId: '',
      },
      () => [],
    );
    const ticket = await this.deps.stores.tickets.update(principal, targetId, expectedTargetVersion, (t) =>
      this.change(
        principal,
        t,
        { commentCount: t.commentCount + 1, tags: normalizeTags([...t.tags, ...found.flatMap((s) => s?.tags ?? [])]) },
        undefined,
        sla,
        { merged, comment: { record: note, firstReply: false } },
      ),
    );
    return { ticket, merged };
  }

  // ---- macros ----

  async applyActions(caller: Caller, ticketId: string, actions: MacroActions): Promise<TicketRecord> {
    const { principal } = caller;
    const current = await this.get(principal, ticketId);
    const fields: Partial<TicketFields> = {};
    const paths: string[] = [];
    const put = <K extends keyof TicketFields>(key: K, path: UpdatablePath, value: TicketFields[K]) => {
      fields[key] = value;
      paths.push(path);
    };
    if (actions.priority) put('priority', 'priority', actions.priority);
    if (actions.type) put('type', 'type', actions.type);
    if (actions.groupId) put('groupId', 'group_id', actions.groupId);
    if (actions.assigneeId)
      put(
        'assigneeId',
        'assignee_id',
        actions.assigneeId === 'me' ? principal.userId : actions.assigneeId === 'none' ? '' : actions.assigneeId,
      );
    if (actions.addTags.length > 0 || actions.removeTags.length > 0) {
      const remove = new Set(normalizeTags(actions.removeTags));
      put(
        'tags',
        'tags',
        normalizeTags([...current.tags, ...actions.addTags]).filter((t) => !remove.has(t)),
      );
    }
    const customKeys = Object.keys(actions.customFields ?? {});
    if (customKeys.length > 0) {
      fields.customFields = actions.customFields;
      paths.push(...customKeys.map((k) => `custom_fields.${k}`));
    }
    if (actions.reply.trim()) {
      await this.addComment(caller, ticketId, {
        public: actions.replyPublic,
        body: actions.reply,
        attachments: [],
        authorKind: 'agent',
        status: actions.status,
        expectedVersion: 0,
      });
    } else if (actions.status) put('status', 'status', actions.status);
    if (paths.length === 0) return this.get(principal, ticketId);
    return this.update(caller, ticketId, undefined, fields, paths);
  }

  // ---- system changes (timers, consumers) ----

  /** Recomputes a ticket's clocks at now and publishes what is due; nothing when nothing changed. */
  /**
   * Brings a ticket's clocks up to date (a timer fired, a policy or calendar changed). One read of the ticket, in the
   * update itself: a timer handler is on the critical path of every SLA event. A deleted or unknown ticket is left.
   */
  async recompute(tenantId: string, ticketId: string): Promise<void> {
    const principal = systemPrincipal(tenantId, 'ticket');
    const sla = await this.deps.sla.load(tenantId);
    await this.deps.stores.tickets
      .update(principal, ticketId, undefined, (t) => {
        const applied = applySla(t, sla, this.now());
        const before = JSON.stringify([
          t.sla?.policyId,
          t.sla?.targets.map((x) => [x.metric, x.cycle, x.status, x.targetSeconds, x.dueAt]),
        ]);
        const after = JSON.stringify([
          applied.set.sla?.policyId,
          applied.set.sla?.targets.map((x) => [x.metric, x.cycle, x.status, x.targetSeconds, x.dueAt]),
        ]);
        if (applied.signals.length === 0 && before === after) return null;
        return {
          set: applied.set,
          messages: ticketMessages(this.eventContext(principal), {
            kind: 'updated',
            before: t,
            changedFields: ['sla'],
            sla: applied.signals,
          }),
        };
      })
      .catch((error: unknown) => {
        if (error instanceof ServiceError && error.code === 'NOT_FOUND') return;
        throw error;
      });
  }

  async autoClose(tenantId: string, ticketId: string, afterMs: number): Promise<void> {
    const principal = systemPrincipal(tenantId, 'ticket');
    const ticket = await this.deps.stores.tickets.load(ticketId);
    if (!ticket || ticket.deletedAt || ticket.status !== 'solved' || !ticket.solvedAt) return;
    if (new Date(ticket.solvedAt).getTime() + afterMs > this.now().getTime()) return;
    const sla = await this.deps.sla.load(tenantId);
    await this.deps.stores.tickets.update(principal, ticketId, undefined, (t) =>
      t.status === 'solved' ? this.change(principal, t, {}, 'closed', sla) : null,
    );
  }

  /** The requester's contact changed owner: the tickets follow (who may read them). */
  async syncContactOwner(tenantId: string, contactId: string, ownerId: string): Promise<number> {
    const principal = systemPrincipal(tenantId, 'ticket');
    let changed = 0;
    for (const id of await this.deps.queries.idsOfRequester(tenantId, contactId)) {
      await this.deps.stores.tickets.update(
        principal,
        id,
        undefined,
        (t) => {
          if (t.contactOwnerId === ownerId) return null;
          changed++;
          return {
            set: { contactOwnerId: ownerId },
            messages: ticketMessages(this.eventContext(principal), {
              kind: 'updated',
              before: t,
              changedFields: ['contact_owner_id'],
            }),
          };
        },
        { includeDeleted: true },
      );
    }
    return changed;
  }

  /** The requester's contact was merged into another: its tickets follow the surviving contact. */
  async repointRequester(tenantId: string, fromContactId: string, toContactId: string, ownerId: string): Promise<void> {
    const principal = systemPrincipal(tenantId, 'ticket');
    for (const id of await this.deps.queries.idsOfRequester(tenantId, fromContactId)) {
      await this.deps.stores.tickets.update(
        principal,
        id,
        undefined,
        (t) =>
          t.requesterContactId !== fromContactId
            ? null
            : {
                set: { requesterContactId: toContactId, contactOwnerId: ownerId },
                messages: ticketMessages(this.eventContext(principal), {
                  kind: 'updated',
                  before: t,
                  changedFields: ['requester_contact_id', 'contact_owner_id'],
                }),
              },
        { includeDeleted: true },
      );
    }
  }

  // ---- rules of the caller ----

  private assertGroup(principal: Principal, groupId: string, current: string | undefined): void {
    if (!groupId || groupId === current) return;
    if (hasRole(principal, 'crm-admin', 'crm-service', 'integration')) return;
    if (!principal.teamIds.includes(groupId))
      throw invalidArgument([{ field: 'groupId', description: 'must be one of your support groups' }]);
  }

  private assertAssignee(principal: Principal, assigneeId: string): void {
    if (assigneeId === principal.userId) return;
    if (hasRole(principal, 'crm-admin', 'crm-service', 'integration', 'support-manager', 'support-agent')) return;
    throw invalidArgument([{ field: 'assigneeId', description: 'you may only assign tickets to yourself' }]);
  }
}

function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const PATH_FIELDS: Record<UpdatablePath, keyof TicketFields> = {
  subject: 'subject',
  description: 'description',
  requester_contact_id: 'requesterContactId',
  requester_email: 'requesterEmail',
  company_id: 'companyId',
  priority: 'priority',
  status: 'status',
  type: 'type',
  tags: 'tags',
  custom_fields: 'customFields',
  assignee_id: 'assigneeId',
  group_id: 'groupId',
  channel: 'channel',
  deal_ids: 'dealIds',
};

function pick(fields: Partial<TicketFields>, paths: readonly string[]): Partial<TicketFields> {
  const picked: Partial<TicketFields> = {};
  for (const path of paths) {
    const key = PATH_FIELDS[(path.split('.')[0] ?? '') as UpdatablePath];
    if (key && key !== 'customFields') (picked as Record<string, unknown>)[key] = fields[key] ?? emptyOf(key);
  }
  return picked;
}

function emptyOf(key: keyof TicketFields): unknown {
  return key === 'tags' || key === 'dealIds' ? [] : '';
}

/** "custom_fields" replaces the lot; "custom_fields.x" patches one key (absent value clears it). */
function customFieldPatch(
  values: Record<string, unknown> | undefined,
  paths: readonly string[],
): Record<string, unknown> {
  if (paths.includes('custom_fields')) return values ?? {};
  const patch: Record<string, unknown> = {};
  for (const path of paths.filter((p) => p.startsWith('custom_fields.'))) {
    const key = path.slice('custom_fields.'.length);
    patch[key] = values?.[key] ?? null;
  }
  return patch;
}

const TRACKED: ReadonlyArray<[keyof TicketRecord, string]> = [
  ['subject', 'subject'],
  ['description', 'description'],
  ['requesterContactId', 'requester_contact_id'],
  ['requesterEmail', 'requester_email'],
  ['contactOwnerId', 'contact_owner_id'],
  ['companyId', 'company_id'],
  ['priority', 'priority'],
  ['status', 'status'],
  ['type', 'type'],
  ['tags', 'tags'],
  ['customFields', 'custom_fields'],
  ['ownerId', 'assignee_id'],
  ['teamId', 'group_id'],
  ['channel', 'channel'],
  ['dealIds', 'deal_ids'],
  ['mergedInto', 'merged_into'],
  ['commentCount', 'comment_count'],
];

function changedPaths(before: TicketRecord, after: TicketRecord): string[] {
  return TRACKED.filter(([key]) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).map(([, path]) => path);
}

function attachmentViolations(attachments: readonly Attachment[]): FieldViolation[] {
  const v: FieldViolation[] = [];
  if (attachments.length > MAX_ATTACHMENTS) v.push({ field: 'attachments', description: `at most ${MAX_ATTACHMENTS}` });
  attachments.forEach((a, i) => {
    if (!a.name.trim() || a.name.length > 255)
      v.push({ field: `attachments[${i}].name`, description: 'is required (≤ 255)' });
    if (!Number.isInteger(a.sizeBytes) || a.sizeBytes < 0)
      v.push({ field: `attachments[${i}].sizeBytes`, description: 'must be a non-negative integer' });
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(a.contentType))
      v.push({ field: `attachments[${i}].contentType`, description: 'must be a MIME type' });
    let url: URL | undefined;
    try {
      url = new URL(a.url);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:')
      v.push({ field: `attachments[${i}].url`, description: 'must be an https URL' });
  });
  return v;
}
