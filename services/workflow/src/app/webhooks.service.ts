// Outbound webhooks: endpoints per tenant with an event filter and rotating secrets; deliveries signed the
// Standard Webhooks way, retried with backoff and jitter on network errors, 408/429/5xx (Retry-After honoured)
// within a window, then dead-lettered; listable and replayable. An endpoint that keeps failing is disabled with
// an event. Every connection goes through safePost (SSRF checks at connect time).
import { lookup } from 'node:dns/promises';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import {
  afterCursor,
  decodeCursor,
  invalidArgument,
  notFound,
  orderBy,
  pageOf,
  pageSize,
  scopeOf,
  scopeSql,
  ServiceError,
  systemPrincipal,
  type DueTimer,
  type Principal,
  type SortKey,
} from '@crm/service-kit';
import { addressRefusal, checkWebhookUrl } from '../domain/address-policy';
import { backoffDelay, retryAfterMs, verdictOf } from '../domain/backoff';
import { deterministicId } from '../domain/deterministic-id';
import type { DeliveryDoc, DeliveryStatus, EndpointDoc } from '../domain/records';
import type { RunDoc } from '../domain/run';
import { newSecret, signatureHeaders } from '../domain/webhook-signing';
import { safePost } from '../webhooks/safe-http';
import type { AppDeps } from './app-deps';
import { requireConfigReader, requireConfigurer } from './access';

export const DELIVERY_TIMER = 'webhook.attempt';
const KEYS: SortKey[] = [
  { column: 'created_at', direction: 'desc', type: 'timestamp' },
  { column: 'id', direction: 'desc' },
];

export interface EndpointInputJson {
  url?: string;
  description?: string;
  eventTypes?: string[];
  status?: string;
}

export function deliveryTimerId(id: string): string {
  return `wh:${id}`;
}

export class WebhooksService {
  private readonly attempting = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Called when a delivery of a run's step is settled (succeeded, failed or dead-lettered). */
  onSettled: (delivery: DeliveryDoc) => void = () => undefined;

  constructor(private readonly deps: AppDeps) {}

  private get mode() {
    return this.deps.config.WORKFLOW_MODE;
  }

  // ---- endpoints ----

  async create(principal: Principal, input: EndpointInputJson): Promise<{ endpoint: EndpointDoc; secret: string }> {
    requireConfigurer(principal, 'webhooks');
    const url = await this.checkedUrl(input.url ?? '');
    const eventTypes = this.checkedEventTypes(input.eventTypes ?? []);
    const secret = newSecret();
    const now = this.deps.clock();
    const endpoint = await this.deps.stores.endpoints.create(
      principal,
      {
        _id: uuidv7(),
        ownerId: principal.userId,
        teamId: '',
        url,
        description: (input.description ?? '').slice(0, 500),
        eventTypes,
        status: input.status === 'disabled' ? 'disabled' : 'enabled',
        disabledReason: '',
        secrets: [{ id: uuidv7(), sealed: this.deps.secrets.seal(secret), createdAt: now, expiresAt: null }],
        consecutiveFailures: 0,
      },
      this.deps.events.endpoint('workflow.webhook_endpoint_created', principal),
    );
    return { endpoint, secret };
  }

  async get(principal: Principal, id: string): Promise<EndpointDoc> {
    requireConfigReader(principal, 'webhooks');
    return this.deps.stores.endpoints.get(principal, id);
  }

  async update(
    principal: Principal,
    id: string,
    expectedVersion: number,
    input: EndpointInputJson,
  ): Promise<EndpointDoc> {
    requireConfigurer(principal, 'webhooks');
    const url = input.url !== undefined ? await this.checkedUrl(input.url) : undefined;
    const eventTypes = input.eventTypes !== undefined ? this.checkedEventTypes(input.eventTypes) : undefined;
    if (input.status !== undefined && !['enabled', 'disabled'].includes(input.status))
      throw invalidArgument([{ field: 'status', description: 'must be enabled or disabled' }]);
    return this.deps.stores.endpoints.update(principal, id, expectedVersion || undefined, (current) => {
      const enabling = input.status === 'enabled' && current.status !== 'enabled';
      const set: Partial<EndpointDoc> = {
        ...(url !== undefined ? { url } : {}),
        ...(eventTypes !== undefined ? { eventTypes } : {}),
        ...(input.description !== undefined ? { description: input.description.slice(0, 500) } : {}),
        ...(input.status !== undefined ? { status: input.status as EndpointDoc['status'] } : {}),
        ...(enabling ? { consecutiveFailures: 0, disabledReason: '' } : {}),
      };
      return {
        set,
        messages: this.deps.events.endpoint(
          enabling ? 'workflow.webhook_endpoint_enabled' : 'workflow.webhook_endpoint_updated',
          principal,
        ),
      };
    });
  }

  async delete(principal: Principal, id: string, expectedVersion: number): Promise<EndpointDoc> {
    requireConfigurer(principal, 'webhooks');
    return this.deps.stores.endpoints.update(principal, id, expectedVersion || undefined, () => ({
      set: { deletedAt: this.deps.clock(), status: 'disabled' },
      messages: this.deps.events.endpoint('workflow.webhook_endpoint_deleted', principal),
    }));
  }

  async rotate(
    principal: Principal,
    id: string,
    overlapSeconds: number,
  ): Promise<{ endpoint: EndpointDoc; secret: string }> {
    requireConfigurer(principal, 'webhooks');
    if (overlapSeconds < 0 || overlapSeconds > 7 * 86_400)
      throw invalidArgument([{ field: 'overlapSeconds', description: 'must be between 0 and 604800' }]);
    const secret = newSecret();
    const now = this.deps.clock();
    const until = new Date(now.getTime() + (overlapSeconds || 86_400) * 1000);
    const endpoint = await this.deps.stores.endpoints.update(principal, id, undefined, (current) => ({
      set: {
        secrets: [
          // Expired secrets go; the current one signs until the overlap ends.
          ...current.secrets
            .filter((s) => !s.expiresAt || s.expiresAt > now)
            .map((s) => ({ ...s, expiresAt: s.expiresAt && s.expiresAt < until ? s.expiresAt : until })),
          { id: uuidv7(), sealed: this.deps.secrets.seal(secret), createdAt: now, expiresAt: null },
        ],
      },
      messages: this.deps.events.endpoint('workflow.webhook_endpoint_updated', principal),
    }));
    return { endpoint, secret };
  }

  async list(
    principal: Principal,
    limit: number,
    cursor: string,
  ): Promise<{ endpoints: EndpointDoc[]; nextCursor: string }> {
    requireConfigReader(principal, 'webhooks');
    const size = pageSize(limit);
    const keys: SortKey[] = [{ column: 'id', direction: 'asc' }];
    const after = cursor ? afterCursor(keys, decodeCursor(cursor, 1)) : sql`true`;
    const { rows } = await sql<{ id: string }>`
      select id from webhook_endpoints where ${scopeSql(scopeOf(principal, 'webhooks', 'read'))} and not deleted
        and ${after} order by ${orderBy(keys)} limit ${size + 1}`.execute(this.deps.db);
    const page = pageOf(rows, size, (r) => [r.id]);
    return {
      endpoints: await this.deps.stores.endpoints.getMany(
        principal,
        page.rows.map((r) => r.id),
      ),
      nextCursor: page.nextCursor,
    };
  }

  // ---- deliveries ----

  async listDeliveries(
    principal: Principal,
    endpointId: string,
    status: string,
    limit: number,
    cursor: string,
  ): Promise<{ deliveries: DeliveryDoc[]; nextCursor: string }> {
    await this.get(principal, endpointId);
    if (status && !['pending', 'succeeded', 'failed', 'dead_lettered'].includes(status))
      throw invalidArgument([{ field: 'status', description: 'must be pending, succeeded, failed or dead_lettered' }]);
    const size = pageSize(limit);
    const after = cursor ? afterCursor(KEYS, decodeCursor(cursor, KEYS.length)) : sql`true`;
    const { rows } = await sql<{ id: string; created_at: Date }>`
      select id, created_at from webhook_deliveries
      where ${scopeSql(scopeOf(principal, 'webhooks', 'read'))} and endpoint_id = ${endpointId}
        and (${status} = '' or status = ${status}) and ${after}
      order by ${orderBy(KEYS)} limit ${size + 1}`.execute(this.deps.db);
    const page = pageOf(rows, size, (r) => [r.created_at.toISOString(), r.id]);
    return {
      deliveries: await this.deps.stores.deliveries.getMany(
        principal,
        page.rows.map((r) => r.id),
      ),
      nextCursor: page.nextCursor,
    };
  }

  async getDelivery(principal: Principal, id: string): Promise<DeliveryDoc> {
    requireConfigReader(principal, 'webhooks');
    return this.deps.stores.deliveries.get(principal, id);
  }

  /** Sends failed or dead-lettered deliveries again, with a fresh retry window. */
  async replayFor(principal: Principal, endpointId: string, ids: string[], status: string): Promise<string[]> {
    requireConfigurer(principal, 'webhooks');
    await this.get(principal, endpointId);
    const wanted = status || 'dead_lettered';
    if (!['failed', 'dead_lettered'].includes(wanted))
      throw invalidArgument([{ field: 'status', description: 'must be failed or dead_lettered' }]);
    let chosen = ids;
    if (chosen.length === 0) {
      const { rows } = await sql<{ id: string }>`
        select id from webhook_deliveries where tenant_id = ${principal.tenantId} and endpoint_id = ${endpointId}
          and status = ${wanted} order by created_at limit 1000`.execute(this.deps.db);
      chosen = rows.map((r) => r.id);
    }
    return this.replay(principal.tenantId, endpointId, chosen);
  }

  async replay(tenantId: string, endpointId: string, ids: readonly string[]): Promise<string[]> {
    const system = systemPrincipal(tenantId, 'workflow');
    const replayed: string[] = [];
    for (const id of ids) {
      const current = await this.deps.stores.deliveries.find(system, id);
      if (!current || current.endpointId !== endpointId) throw notFound('webhook delivery');
      if (current.status !== 'failed' && current.status !== 'dead_lettered') continue;
      const now = this.deps.clock();
      await this.deps.timers.schedule(this.timerOf(current, new Date(now.getTime() + this.deps.config.RUN_LEASE_MS)));
      await this.deps.stores.deliveries.update(system, id, undefined, () => ({
        set: { status: 'pending', nextAttemptAt: now, windowStartedAt: now },
        messages: () => [],
      }));
      replayed.push(id);
      this.attemptSoon(id);
    }
    return replayed;
  }

  /** Endpoints of a tenant subscribed to an event type ("deal.won", "deal.*" or "*"). */
  async subscribers(tenantId: string, eventType: string): Promise<string[]> {
    const wildcard = `${eventType.split('.')[0]}.*`;
    const { rows } = await sql<{ id: string }>`
      select id from webhook_endpoints where tenant_id = ${tenantId} and status = 'enabled' and not deleted
        and (${eventType} = any(event_types) or ${wildcard} = any(event_types) or '*' = any(event_types))`.execute(
      this.deps.db,
    );
    return rows.map((r) => r.id);
  }

  /** A delivery of an event to a subscribed endpoint; once per endpoint and event. */
  async deliverEvent(
    tenantId: string,
    endpointId: string,
    event: { id: string; type: string; occurredAt: Date; data: unknown },
  ): Promise<DeliveryDoc> {
    const id = deterministicId(event.occurredAt, `${endpointId}:${event.id}`);
    return this.enqueue(tenantId, {
      id,
      endpointId,
      eventType: event.type,
      eventId: event.id,
      runId: '',
      stepId: '',
      payload: JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: event.data }),
    });
  }

  /** The delivery a webhook step makes (once per action id); the step waits for its outcome. */
  async deliveryForStep(
    run: RunDoc,
    stepId: string,
    actionId: string,
    endpointId: string,
    eventType: string,
    data: unknown,
  ): Promise<DeliveryDoc> {
    const system = systemPrincipal(run.tenantId, 'workflow');
    const endpoint = await this.deps.stores.endpoints.find(system, endpointId);
    if (!endpoint || endpoint.deletedAt)
      throw new ServiceError('NOT_FOUND', `webhook endpoint ${endpointId} does not exist`);
    const id = deterministicId(run.createdAt, actionId);
    return this.enqueue(run.tenantId, {
      id,
      endpointId,
      eventType,
      eventId: actionId,
      runId: run._id,
      stepId,
      payload: JSON.stringify({ type: eventType, timestamp: run.createdAt.toISOString(), data }),
    });
  }

  private async enqueue(
    tenantId: string,
    spec: Pick<DeliveryDoc, 'endpointId' | 'eventType' | 'eventId' | 'runId' | 'stepId' | 'payload'> & { id: string },
  ): Promise<DeliveryDoc> {
    const system = systemPrincipal(tenantId, 'workflow');
    const existing = await this.deps.stores.deliveries.load(spec.id);
    if (existing) return existing;
    const now = this.deps.clock();
    // The timer first: a crash before the first attempt is resumed by it.
    await this.deps.timers.schedule({
      id: deliveryTimerId(spec.id),
      tenantId,
      kind: DELIVERY_TIMER,
      dueAt: new Date(now.getTime() + this.deps.config.RUN_LEASE_MS),
      payload: { deliveryId: spec.id },
    });
    let delivery: DeliveryDoc;
    try {
      delivery = await this.deps.stores.deliveries.create(
        system,
        {
          _id: spec.id,
          ownerId: system.userId,
          teamId: '',
          endpointId: spec.endpointId,
          eventType: spec.eventType,
          eventId: spec.eventId,
          runId: spec.runId,
          stepId: spec.stepId,
          status: 'pending',
          attempts: [],
          nextAttemptAt: now,
          windowStartedAt: now,
          payload: spec.payload,
        },
        () => [],
      );
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === 'ALREADY_EXISTS')) throw error;
      return (await this.deps.stores.deliveries.load(spec.id)) as DeliveryDoc;
    }
    this.attemptSoon(spec.id, delivery);
    return delivery;
  }

  /** The delivery's timer fired (a retry is due, or a crash left it): attempt it, in the background. */
  async onTimer(timer: DueTimer): Promise<void> {
    const { deliveryId } = timer.payload as { deliveryId: string };
    const delivery = await this.deps.stores.deliveries.load(deliveryId);
    if (!delivery || delivery.status !== 'pending') return;
    // Keep a timer while the attempt runs (set once this firing is committed), so a crash is resumed too.
    void this.deps.timers
      .schedule(this.timerOf(delivery, new Date(this.deps.clock().getTime() + this.deps.config.RUN_LEASE_MS)))
      .then(() => this.attemptSoon(deliveryId, delivery))
      .catch((error: unknown) =>
        this.deps.log.warn({ err: error, delivery: deliveryId }, 'could not re-arm a delivery'),
      );
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** `known`: the delivery as just read or stored here (spares reading it again; a stale one loses its write). */
  private attemptSoon(id: string, known?: DeliveryDoc): void {
    if (this.attempting.has(id)) return;
    this.attempting.add(id);
    const work = this.attempt(id, known)
      .catch((error: unknown) =>
        this.deps.log.warn({ err: error, delivery: id }, 'delivery attempt failed to record; its timer retries'),
      )
      .finally(() => {
        this.attempting.delete(id);
        this.inFlight.delete(work);
      });
    this.inFlight.add(work);
  }

  private timerOf(delivery: DeliveryDoc, dueAt: Date) {
    return {
      id: deliveryTimerId(delivery._id),
      tenantId: delivery.tenantId,
      kind: DELIVERY_TIMER,
      dueAt,
      payload: { deliveryId: delivery._id },
    };
  }

  /** One attempt: sign, send, record, and decide what comes next. */
  private async attempt(id: string, known?: DeliveryDoc): Promise<void> {
    const delivery = known ?? (await this.deps.stores.deliveries.load(id));
    if (!delivery || delivery.status !== 'pending') return;
    const system = systemPrincipal(delivery.tenantId, 'workflow');
    const endpoint = await this.deps.stores.endpoints.load(delivery.endpointId);
    const started = this.deps.clock();
    let statusCode: number | undefined;
    let error = '';
    let retryAfter: number | undefined;
    if (!endpoint || endpoint.deletedAt || endpoint.status !== 'enabled') {
      error =
        endpoint?.status === 'disabled'
          ? `endpoint disabled: ${endpoint.disabledReason || 'by an admin'}`
          : 'endpoint deleted';
    } else {
      const secrets = endpoint.secrets
        .filter((s) => !s.expiresAt || s.expiresAt > started)
        .map((s) => this.deps.secrets.open(s.sealed));
      const headers = signatureHeaders(delivery._id, started, delivery.payload, secrets);
      const result = await safePost(endpoint.url, delivery.payload, headers, {
        mode: this.mode,
        timeoutMs: this.deps.config.WEBHOOK_TIMEOUT_MS,
        maxResponseBytes: this.deps.config.WEBHOOK_MAX_RESPONSE_BYTES,
        followRedirects: this.deps.config.WEBHOOK_FOLLOW_REDIRECTS,
      });
      statusCode = result.statusCode;
      error = result.error ?? (statusCode && statusCode >= 300 ? `HTTP ${statusCode}` : '');
      retryAfter = retryAfterMs(result.headers['retry-after'], started);
      if (result.refused) statusCode = undefined;
    }
    const finished = this.deps.clock();
    const attempt = {
      at: started,
      statusCode: statusCode ?? 0,
      latencyMs: finished.getTime() - started.getTime(),
      error: error.slice(0, 500),
    };
    const endpointGone = !endpoint || endpoint.deletedAt !== null || endpoint.status !== 'enabled';
    let verdict = endpointGone ? 'dead_lettered' : verdictOf(statusCode);
    let next: Date | null = null;
    if (verdict === 'retry') {
      const n = delivery.attempts.length + 1;
      const wait = Math.max(
        backoffDelay(n, {
          baseMs: this.deps.config.WEBHOOK_RETRY_BASE_MS,
          maxMs: this.deps.config.WEBHOOK_RETRY_MAX_MS,
        }),
        retryAfter ?? 0,
      );
      next = new Date(finished.getTime() + wait);
      if (next.getTime() > delivery.windowStartedAt.getTime() + this.deps.config.WEBHOOK_RETRY_WINDOW_MS) {
        verdict = 'dead_lettered';
        next = null;
      }
    }
    const status: DeliveryStatus = verdict === 'retry' ? 'pending' : (verdict as DeliveryStatus);
    const saved = await this.deps.stores.deliveries.update(
      system,
      id,
      delivery.version,
      () => ({
        set: { attempts: [...delivery.attempts, attempt], status, nextAttemptAt: next },
        messages: this.deps.events.delivery(
          status === 'dead_lettered' ? 'workflow.webhook_delivery_dead_lettered' : undefined,
          this.deps.serviceActor,
        ),
      }),
      { current: delivery },
    );
    if (status === 'pending' && next) await this.deps.timers.schedule(this.timerOf(saved, next));
    else await this.deps.timers.cancel(deliveryTimerId(id));
    if (endpoint && !endpointGone) await this.countOutcome(endpoint, status);
    if (status !== 'pending' && saved.runId) this.onSettled(saved);
  }

  /** Consecutive failed deliveries disable an endpoint; a success resets the count. */
  private async countOutcome(endpoint: EndpointDoc, status: DeliveryStatus): Promise<void> {
    if (status === 'pending') return;
    const system = systemPrincipal(endpoint.tenantId, 'workflow');
    const limit = this.deps.config.WEBHOOK_DISABLE_AFTER_FAILURES;
    await this.deps.stores.endpoints.update(system, endpoint._id, undefined, (current) => {
      if (status === 'succeeded')
        return current.consecutiveFailures === 0 ? null : { set: { consecutiveFailures: 0 }, messages: () => [] };
      const failures = current.consecutiveFailures + 1;
      const disable = failures >= limit && current.status === 'enabled';
      return {
        set: {
          consecutiveFailures: failures,
          ...(disable ? { status: 'disabled' as const, disabledReason: `${failures} deliveries in a row failed` } : {}),
        },
        messages: this.deps.events.endpoint(
          disable ? 'workflow.webhook_endpoint_disabled' : undefined,
          this.deps.serviceActor,
        ),
      };
    });
  }

  private checkedEventTypes(types: string[]): string[] {
    const list = [...new Set(types)];
    list.forEach((t, i) => {
      if (!/^([a-z]+\.([a-z_]+|\*)|\*)$/.test(t))
        throw invalidArgument([
          { field: `eventTypes[${i}]`, description: 'must be an event type like "deal.won", "deal.*" or "*"' },
        ]);
    });
    if (list.length > 100) throw invalidArgument([{ field: 'eventTypes', description: 'at most 100' }]);
    return list;
  }

  /** The URL's scheme, literal address and (for a name) every address it resolves to now. */
  private async checkedUrl(raw: string): Promise<string> {
    const check = checkWebhookUrl(raw, this.mode);
    if (!check.url) throw invalidArgument([{ field: 'url', description: check.problem ?? 'is not allowed' }]);
    const host = check.url.hostname.replace(/^\[|\]$/g, '');
    if (!/^[0-9.]+$|:/.test(host)) {
      const addresses = await lookup(host, { all: true, verbatim: true }).catch(() => []);
      const refused = addresses.map((a) => addressRefusal(a.address, this.mode)).find(Boolean);
      if (refused)
        throw invalidArgument([{ field: 'url', description: `resolves to a non-public address (${refused})` }]);
    }
    return check.url.toString();
  }
}
