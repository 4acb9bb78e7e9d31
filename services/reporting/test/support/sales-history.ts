// A seeded sales history: deals with known paths through the stages and known outcomes, their contacts, companies
// and activities, as rows; the events the contact and pipeline services would have published for them; and the
// expected figures, computed here from the rows alone (not from the events, not with the service's code).
import { ActivityLogged, CompanyChanged, ContactChanged } from '@crm/proto/crm/contact/v1/events';
import { DealChanged, PipelineChanged, type DealSnapshot } from '@crm/proto/crm/pipeline/v1/events';
import type { PublishedEvent } from './reporting-harness';

export interface Stage {
  id: string;
  kind: 'open' | 'won' | 'lost';
  probability: number;
  category: string;
}

export const PIPELINE_ID = 'pl-sales';
export const STAGES: Stage[] = [
  { id: 'st-lead', kind: 'open', probability: 10, category: 'pipeline' },
  { id: 'st-qualified', kind: 'open', probability: 30, category: 'pipeline' },
  { id: 'st-proposal', kind: 'open', probability: 60, category: 'best_case' },
  { id: 'st-negotiation', kind: 'open', probability: 80, category: 'commit' },
  { id: 'st-parked', kind: 'open', probability: 5, category: 'omitted' },
  { id: 'st-won', kind: 'won', probability: 100, category: 'closed' },
  { id: 'st-lost', kind: 'lost', probability: 0, category: 'omitted' },
];
const stageOf = (id: string) => STAGES.find((s) => s.id === id) as Stage;

export interface Owner {
  userId: string;
  teamId: string;
}

export interface Step {
  /** A move to a stage, or an amount change. */
  stageId?: string;
  amount?: number;
  at: Date;
}

export interface DealRow {
  id: string;
  tenantId: string;
  owner: Owner;
  contactId: string;
  currency: string;
  amount: number;
  createdAt: Date;
  expectedCloseDate: string;
  steps: Step[];
  deleted: boolean;
}

export interface ContactRow {
  id: string;
  tenantId: string;
  owner: Owner;
  leadSource: string;
  createdAt: Date;
}

export interface ActivityRow {
  id: string;
  tenantId: string;
  owner: Owner;
  type: string;
  contactId: string;
  occurredAt: Date;
}

export interface History {
  deals: DealRow[];
  contacts: ContactRow[];
  companies: { id: string; tenantId: string; owner: Owner; createdAt: Date }[];
  activities: ActivityRow[];
}

/** mulberry32: the same "random" history every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function salesHistory(owners: Owner[], other: Owner, seed = 12): History {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const start = Date.parse('2024-11-01T00:00:00Z');
  const sources = ['web', 'referral', 'event', ''];
  const contacts: ContactRow[] = Array.from({ length: 30 }, (_, i) => ({
    id: `ct-${i}`,
    tenantId: 'acme',
    owner: pick(owners),
    leadSource: sources[i % sources.length] as string,
    createdAt: new Date(start + Math.floor(rnd() * 240) * DAY + Math.floor(rnd() * 24) * HOUR),
  }));
  const deals: DealRow[] = [];
  for (let i = 0; i < 200; i++) {
    const tenantId = i < 190 ? 'acme' : 'globex';
    const owner = tenantId === 'acme' ? pick(owners) : other;
    // Created between November 2024 and June 2025, at any hour (some close to midnight in Berlin).
    const createdAt = new Date(start + Math.floor(rnd() * 230) * DAY + Math.floor(rnd() * 24) * HOUR + 17 * 60_000);
    const steps: Step[] = [];
    let at = createdAt.getTime();
    const next = () => (at += Math.floor(1 + rnd() * 20) * DAY + Math.floor(rnd() * 24) * HOUR);
    const open = STAGES.filter((s) => s.kind === 'open' && s.id !== 'st-parked');
    const depth = Math.floor(rnd() * open.length);
    for (let k = 1; k <= depth; k++) steps.push({ stageId: (open[k] as Stage).id, at: new Date(next()) });
    if (rnd() < 0.3) steps.push({ amount: 1000 + Math.floor(rnd() * 90_000), at: new Date(next()) });
    // Moved back (only from beyond qualified: a move to the stage a deal is in is no move).
    if (rnd() < 0.1 && depth > 1) steps.push({ stageId: 'st-qualified', at: new Date(next()) });
    const fate = rnd();
    if (fate < 0.4) steps.push({ stageId: 'st-won', at: new Date(next()) });
    else if (fate < 0.7) steps.push({ stageId: 'st-lost', at: new Date(next()) });
    else if (fate < 0.75) steps.push({ stageId: 'st-parked', at: new Date(next()) });
    // Lost, reopened and won after all.
    if (fate >= 0.4 && fate < 0.47) {
      steps.push({ stageId: 'st-proposal', at: new Date(next()) });
      steps.push({ stageId: 'st-won', at: new Date(next()) });
    }
    // Nothing happens after the clock of the test (2025-07-01).
    const cut = Date.parse('2025-06-30T20:00:00Z');
    deals.push({
      id: `dl-${String(i).padStart(3, '0')}`,
      tenantId,
      owner,
      contactId: tenantId === 'acme' && rnd() < 0.8 ? pick(contacts).id : '',
      currency: rnd() < 0.7 ? 'EUR' : 'USD',
      amount: 1000 + Math.floor(rnd() * 100_000),
      createdAt,
      expectedCloseDate: new Date(Date.parse('2025-04-01') + Math.floor(rnd() * 180) * DAY).toISOString().slice(0, 10),
      steps: steps.filter((s) => s.at.getTime() < cut),
      deleted: i % 47 === 5,
    });
  }
  const companies = Array.from({ length: 12 }, (_, i) => ({
    id: `co-${i}`,
    tenantId: 'acme',
    owner: pick(owners),
    createdAt: new Date(start + Math.floor(rnd() * 240) * DAY),
  }));
  const activities: ActivityRow[] = Array.from({ length: 60 }, (_, i) => ({
    id: `ac-${i}`,
    tenantId: 'acme',
    owner: pick(owners),
    type: pick(['call', 'email', 'meeting', 'note']),
    contactId: pick(contacts).id,
    occurredAt: new Date(start + Math.floor(rnd() * 240) * DAY + Math.floor(rnd() * 24) * HOUR),
  }));
  return { deals, contacts, companies, activities };
}

// ---- The deal as the pipeline service reports it, version by version ----

export interface DealVersion {
  version: number;
  at: Date;
  stageId: string;
  amount: number;
  closedAt: Date | undefined;
  deleted: boolean;
  type: string;
  signal?: string;
}

export function versionsOf(row: DealRow): DealVersion[] {
  const versions: DealVersion[] = [
    {
      version: 1,
      at: row.createdAt,
      stageId: 'st-lead',
      amount: row.amount,
      closedAt: undefined,
      deleted: false,
      type: 'deal.created',
    },
  ];
  for (const step of row.steps) {
    const prev = versions[versions.length - 1] as DealVersion;
    const v: DealVersion = { ...prev, version: prev.version + 1, at: step.at, type: 'deal.updated', signal: undefined };
    if (step.amount !== undefined) v.amount = step.amount;
    if (step.stageId) {
      const kind = stageOf(step.stageId).kind;
      const wasClosed = stageOf(prev.stageId).kind !== 'open';
      v.stageId = step.stageId;
      v.type = 'deal.stage_changed';
      v.closedAt = kind === 'open' ? undefined : step.at;
      v.signal = kind === 'won' ? 'deal.won' : kind === 'lost' ? 'deal.lost' : wasClosed ? 'deal.reopened' : undefined;
    }
    versions.push(v);
  }
  if (row.deleted) {
    const prev = versions[versions.length - 1] as DealVersion;
    versions.push({
      ...prev,
      version: prev.version + 1,
      at: new Date(prev.at.getTime() + HOUR),
      deleted: true,
      type: 'deal.deleted',
      signal: undefined,
    });
  }
  return versions;
}

function snapshot(row: DealRow, v: DealVersion): DealSnapshot {
  const stage = stageOf(v.stageId);
  return {
    id: row.id,
    title: `Deal ${row.id}`,
    amount: { amountMinor: v.amount, currency: row.currency },
    pipelineId: PIPELINE_ID,
    stageId: v.stageId,
    stageName: v.stageId.slice(3),
    status: stage.kind,
    probability: stage.probability,
    forecastCategory: stage.category,
    ownerId: row.owner.userId,
    teamId: row.owner.teamId,
    contactId: row.contactId,
    companyId: '',
    expectedCloseDate: row.expectedCloseDate,
    closedAt: v.closedAt,
    lostReason: stage.kind === 'lost' ? 'price' : '',
    deleted: v.deleted,
    version: v.version,
    createdAt: row.createdAt,
  };
}

export function dealEvents(row: DealRow): PublishedEvent[] {
  const versions = versionsOf(row);
  return versions.flatMap((v, i) => {
    const previous = versions[i - 1];
    const payload = DealChanged.encode({
      deal: snapshot(row, v),
      previous: previous ? snapshot(row, previous) : undefined,
      changedFields: v.type === 'deal.stage_changed' ? ['stage_id'] : [],
    }).finish();
    const event = (type: string, suffix: string): PublishedEvent => ({
      id: `${row.id}-v${v.version}-${suffix}`,
      type,
      tenantId: row.tenantId,
      aggregateId: row.id,
      aggregateVersion: v.version,
      ownerId: row.owner.userId,
      teamId: row.owner.teamId,
      payloadType: 'crm.pipeline.v1.DealChanged',
      payload,
      occurredAt: v.at,
    });
    return [event(v.type, 'state'), ...(v.signal ? [event(v.signal, 'signal')] : [])];
  });
}

export function pipelineEvent(tenantId: string): PublishedEvent {
  const payload = PipelineChanged.encode(
    PipelineChanged.fromPartial({
      pipeline: {
        id: PIPELINE_ID,
        tenantId,
        name: 'Sales',
        stages: STAGES.map((s) => ({
          id: s.id,
          name: s.id.slice(3),
          probability: s.probability,
          kind: s.kind,
          forecastCategory: s.category,
          archived: false,
        })),
        isDefault: true,
        version: 1,
        createdAt: new Date('2024-10-01T00:00:00Z'),
        updatedAt: new Date('2024-10-01T00:00:00Z'),
      },
      changedFields: ['name', 'stages'],
    }),
  ).finish();
  return {
    id: `${tenantId}-pipeline-v1`,
    type: 'pipeline.created',
    tenantId,
    aggregateId: PIPELINE_ID,
    aggregateVersion: 1,
    ownerId: '',
    teamId: '',
    payloadType: 'crm.pipeline.v1.PipelineChanged',
    payload,
    occurredAt: new Date('2024-10-01T00:00:00Z'),
  };
}

const base = { emails: [], phones: [], tags: [], firstName: 'A', lastName: 'B', title: '', companyId: '' };

export function recordEvents(history: History): PublishedEvent[] {
  const contactEvents = history.contacts.map(
    (c): PublishedEvent => ({
      id: `${c.id}-v1`,
      type: 'contact.created',
      tenantId: c.tenantId,
      aggregateId: c.id,
      aggregateVersion: 1,
      ownerId: c.owner.userId,
      teamId: c.owner.teamId,
      payloadType: 'crm.contact.v1.ContactChanged',
      payload: ContactChanged.encode(
        ContactChanged.fromPartial({
          contact: {
            ...base,
            id: c.id,
            tenantId: c.tenantId,
            lifecycleStage: 'lead',
            leadSource: c.leadSource,
            tier: 'standard',
            ownerId: c.owner.userId,
            teamId: c.owner.teamId,
            externalId: '',
            version: 1,
            createdAt: c.createdAt,
            updatedAt: c.createdAt,
            mergedInto: '',
            companyName: '',
          },
          changedFields: [],
        }),
      ).finish(),
      occurredAt: c.createdAt,
    }),
  );
  const companyEvents = history.companies.map(
    (c): PublishedEvent => ({
      id: `${c.id}-v1`,
      type: 'company.created',
      tenantId: c.tenantId,
      aggregateId: c.id,
      aggregateVersion: 1,
      ownerId: c.owner.userId,
      teamId: c.owner.teamId,
      payloadType: 'crm.contact.v1.CompanyChanged',
      payload: CompanyChanged.encode(
        CompanyChanged.fromPartial({
          company: {
            id: c.id,
            tenantId: c.tenantId,
            name: c.id,
            domain: '',
            website: '',
            industry: '',
            size: '',
            parentCompanyId: '',
            ownerId: c.owner.userId,
            teamId: c.owner.teamId,
            externalId: '',
            version: 1,
            createdAt: c.createdAt,
            updatedAt: c.createdAt,
          },
          changedFields: [],
        }),
      ).finish(),
      occurredAt: c.createdAt,
    }),
  );
  const activityEvents = history.activities.map(
    (a): PublishedEvent => ({
      id: `${a.id}-v1`,
      type: 'activity.logged',
      tenantId: a.tenantId,
      aggregateId: a.id,
      aggregateVersion: 1,
      ownerId: a.owner.userId,
      teamId: a.owner.teamId,
      payloadType: 'crm.contact.v1.ActivityLogged',
      payload: ActivityLogged.encode(
        ActivityLogged.fromPartial({
          activity: {
            id: a.id,
            tenantId: a.tenantId,
            type: a.type,
            contactId: a.contactId,
            companyId: '',
            dealId: '',
            ticketId: '',
            subject: 's',
            body: '',
            occurredAt: a.occurredAt,
            ownerId: a.owner.userId,
            teamId: a.owner.teamId,
            version: 1,
            createdAt: a.occurredAt,
            updatedAt: a.occurredAt,
          },
          contactLastActivityAt: a.occurredAt,
        }),
      ).finish(),
      occurredAt: a.occurredAt,
    }),
  );
  return [...contactEvents, ...companyEvents, ...activityEvents];
}

export function allEvents(history: History): PublishedEvent[] {
  return [
    pipelineEvent('acme'),
    pipelineEvent('globex'),
    ...recordEvents(history),
    ...history.deals.flatMap(dealEvents),
  ];
}

// ---- The expected figures, from the rows ----

export interface Period {
  from: string;
  to: string;
  timeZone: string;
}

/** The calendar date of an instant in a zone (Intl, as a person would read a clock there). */
export function localDate(at: Date, timeZone: string): string {
  return at.toLocaleDateString('en-CA', { timeZone });
}

const inPeriod = (at: Date | undefined, p: Period) =>
  at !== undefined && localDate(at, p.timeZone) >= p.from && localDate(at, p.timeZone) <= p.to;

export interface DealOutcome {
  row: DealRow;
  status: 'open' | 'won' | 'lost';
  stage: Stage;
  amount: number;
  closedAt: Date | undefined;
}

export function outcomeOf(row: DealRow): DealOutcome {
  const last = versionsOf(row)
    .filter((v) => !v.deleted)
    .pop() as DealVersion;
  const stage = stageOf(last.stageId);
  return { row, status: stage.kind, stage, amount: last.amount, closedAt: last.closedAt };
}

export interface ExpectedSales {
  won: number;
  lost: number;
  winRate: number | null;
  cycleWonDays: number | null;
  cycleLostDays: number | null;
  /** Per currency. */
  velocity: Record<string, number | null>;
  wonAmount: Record<string, number>;
  weighted: Record<string, number>;
  /** `${month}|${category}|${currency}` → amount */
  forecast: Record<string, number>;
  openAtEnd: number;
  wonIds: string[];
}

/** The dashboard's figures for the deals given (those the caller may see), by the catalogue's definitions. */
export function expectedSales(deals: DealRow[], p: Period, endOfPeriod: Date): ExpectedSales {
  const live = deals.filter((d) => !d.deleted).map(outcomeOf);
  const closed = live.filter((d) => d.status !== 'open' && inPeriod(d.closedAt, p));
  const won = closed.filter((d) => d.status === 'won');
  const lost = closed.filter((d) => d.status === 'lost');
  const days = (d: DealOutcome) => ((d.closedAt as Date).getTime() - d.row.createdAt.getTime()) / DAY;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const currencies = [...new Set(live.map((d) => d.row.currency))];
  const openAt = (d: DealOutcome) =>
    d.row.createdAt < endOfPeriod && (d.status === 'open' || (d.closedAt as Date) >= endOfPeriod);
  const velocity: Record<string, number | null> = {};
  const wonAmount: Record<string, number> = {};
  const weighted: Record<string, number> = {};
  for (const currency of currencies) {
    const w = won.filter((d) => d.row.currency === currency);
    const l = lost.filter((d) => d.row.currency === currency);
    const total = w.reduce((a, d) => a + d.amount, 0);
    wonAmount[currency] = total;
    const avgWon = w.length ? Math.round(total / w.length) : null;
    const rate = w.length + l.length ? w.length / (w.length + l.length) : null;
    const cycle = mean(w.map(days));
    const open = live.filter((d) => d.row.currency === currency && openAt(d)).length;
    velocity[currency] =
      avgWon === null || rate === null || cycle === null || cycle <= 0
        ? null
        : Math.round((open * avgWon * rate) / cycle);
    const sum = live
      .filter(
        (d) =>
          d.row.currency === currency &&
          d.status === 'open' &&
          d.stage.category !== 'omitted' &&
          d.row.expectedCloseDate >= p.from &&
          d.row.expectedCloseDate <= p.to,
      )
      .reduce((a, d) => a + d.amount * d.stage.probability, 0);
    weighted[currency] = Math.round(sum / 100);
  }
  const forecast: Record<string, number> = {};
  const add = (key: string, amount: number) => (forecast[key] = (forecast[key] ?? 0) + amount);
  for (const d of live) {
    if (d.status === 'open' && d.stage.category !== 'omitted') {
      if (d.row.expectedCloseDate >= p.from && d.row.expectedCloseDate <= p.to)
        add(`${d.row.expectedCloseDate.slice(0, 7)}|${d.stage.category}|${d.row.currency}`, d.amount);
    }
  }
  for (const d of won)
    add(`${localDate(d.closedAt as Date, p.timeZone).slice(0, 7)}|closed|${d.row.currency}`, d.amount);
  return {
    won: won.length,
    lost: lost.length,
    winRate: closed.length ? won.length / closed.length : null,
    cycleWonDays: mean(won.map(days)),
    cycleLostDays: mean(lost.map(days)),
    velocity,
    wonAmount,
    weighted,
    forecast,
    openAtEnd: live.filter(openAt).length,
    wonIds: won.map((d) => d.row.id).sort(),
  };
}

export interface ExpectedStage {
  entries: number;
  converted: number;
  exits: number;
  meanDays: number | null;
}

/** Stays per stage: entered in the period (and whether they left forward), and ended in the period. */
export function expectedStages(deals: DealRow[], p: Period): Record<string, ExpectedStage> {
  const order = STAGES.map((s) => s.id);
  const out: Record<string, ExpectedStage & { total: number }> = {};
  for (const row of deals.filter((d) => !d.deleted)) {
    const moves = [{ stageId: 'st-lead', at: row.createdAt }, ...row.steps.filter((s) => s.stageId)] as {
      stageId: string;
      at: Date;
    }[];
    moves.forEach((move, i) => {
      const next = moves[i + 1];
      const e = (out[move.stageId] ??= { entries: 0, converted: 0, exits: 0, meanDays: null, total: 0 });
      if (inPeriod(move.at, p)) {
        e.entries++;
        const forward =
          next !== undefined &&
          (stageOf(next.stageId).kind === 'won' ||
            (stageOf(next.stageId).kind === 'open' && order.indexOf(next.stageId) > order.indexOf(move.stageId)));
        if (forward) e.converted++;
      }
      if (next && inPeriod(next.at, p)) {
        e.exits++;
        e.total += (next.at.getTime() - move.at.getTime()) / DAY;
      }
    });
  }
  return Object.fromEntries(
    Object.entries(out).map(([id, e]) => [
      id,
      { entries: e.entries, converted: e.converted, exits: e.exits, meanDays: e.exits ? e.total / e.exits : null },
    ]),
  );
}
