// Assignment teams (members and who is away) and the choice of an owner. A round-robin choice is remembered
// under the action id that asked for it, in the same write that moves the team's pointer, so a repeated action
// gets the same owner and the pointer moves once.
import { sql } from 'kysely';
import { hasRole, invalidArgument, notFound, ServiceError, systemPrincipal, type Principal } from '@crm/service-kit';
import { leastLoaded, roundRobin } from '../domain/assignment';
import type { TeamDoc } from '../domain/records';
import type { AppDeps } from './app-deps';
import type { TasksService } from './tasks.service';

const REMEMBERED = 50;

interface TeamWithChoices extends TeamDoc {
  choices?: Array<{ actionId: string; userId: string }>;
}

export function teamDocId(tenantId: string, teamId: string): string {
  return `${tenantId}:team:${teamId}`;
}

export class AssignmentService {
  constructor(
    private readonly deps: AppDeps,
    private readonly tasks: TasksService,
  ) {}

  async get(principal: Principal, teamId: string): Promise<TeamDoc> {
    return this.deps.stores.teams.get(principal, teamDocId(principal.tenantId, teamId));
  }

  async list(principal: Principal): Promise<TeamDoc[]> {
    const { rows } = await sql<{ id: string }>`
      select id from assignment_teams where tenant_id = ${principal.tenantId} order by team_id limit 500`.execute(
      this.deps.db,
    );
    return this.deps.stores.teams.getMany(
      principal,
      rows.map((r) => r.id),
    );
  }

  /** Admins set any team; managers their own teams. */
  async set(principal: Principal, teamId: string, expectedVersion: number, memberIds: string[]): Promise<TeamDoc> {
    this.requireTeamManager(principal, teamId);
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(teamId))
      throw invalidArgument([{ field: 'teamId', description: 'is not a team id' }]);
    const unique = [...new Set(memberIds.filter(Boolean))];
    if (unique.length > 500) throw invalidArgument([{ field: 'memberIds', description: 'at most 500 members' }]);
    const id = teamDocId(principal.tenantId, teamId);
    const system = systemPrincipal(principal.tenantId, 'workflow');
    const existing = await this.deps.stores.teams.load(id);
    const members = (current?: TeamDoc) =>
      unique.map(
        (userId) => current?.members.find((m) => m.userId === userId) ?? { userId, away: false, awayUntil: null },
      );
    if (!existing) {
      try {
        return await this.deps.stores.teams.create(
          system,
          { _id: id, ownerId: principal.userId, teamId, members: members(), nextIndex: 0 },
          () => [],
        );
      } catch (error) {
        if (!(error instanceof ServiceError && error.code === 'ALREADY_EXISTS')) throw error;
      }
    }
    return this.deps.stores.teams.update(system, id, expectedVersion || undefined, (current) => ({
      set: { members: members(current), nextIndex: 0 },
      messages: () => [],
    }));
  }

  async setAvailability(
    principal: Principal,
    teamId: string,
    userId: string,
    away: boolean,
    awayUntil: Date | null,
  ): Promise<TeamDoc> {
    if (userId !== principal.userId) this.requireTeamManager(principal, teamId);
    const id = teamDocId(principal.tenantId, teamId);
    const system = systemPrincipal(principal.tenantId, 'workflow');
    const team = await this.deps.stores.teams.load(id);
    if (!team || !team.members.some((m) => m.userId === userId)) throw notFound('team member');
    return this.deps.stores.teams.update(system, id, undefined, (current) => ({
      set: {
        members: current.members.map((m) =>
          m.userId === userId ? { ...m, away, awayUntil: away ? awayUntil : null } : m,
        ),
      },
      messages: () => [],
    }));
  }

  /** The owner for an action; the same for the same action id. Undefined when nobody is available. */
  async pick(
    tenantId: string,
    teamId: string,
    strategy: 'round_robin' | 'least_loaded',
    actionId: string,
  ): Promise<string | undefined> {
    const id = teamDocId(tenantId, teamId);
    const system = systemPrincipal(tenantId, 'workflow');
    const team = (await this.deps.stores.teams.load(id)) as TeamWithChoices | undefined;
    if (!team) return undefined;
    const known = team.choices?.find((c) => c.actionId === actionId);
    if (known) return known.userId;
    const now = this.deps.clock();
    const load =
      strategy === 'least_loaded'
        ? await this.tasks.openCounts(
            tenantId,
            team.members.map((m) => m.userId),
          )
        : new Map<string, number>();
    let chosen: string | undefined;
    await this.deps.stores.teams.update(system, id, undefined, (current) => {
      const withChoices = current as TeamWithChoices;
      const remembered = withChoices.choices?.find((c) => c.actionId === actionId);
      if (remembered) {
        chosen = remembered.userId;
        return null;
      }
      let nextIndex = current.nextIndex;
      if (strategy === 'round_robin') {
        const pick = roundRobin(current.members, current.nextIndex, now);
        chosen = pick?.userId;
        nextIndex = pick?.nextIndex ?? nextIndex;
      } else chosen = leastLoaded(current.members, load, now);
      if (!chosen) return null;
      const choices = [...(withChoices.choices ?? []), { actionId, userId: chosen }].slice(-REMEMBERED);
      return { set: { nextIndex, choices } as Partial<TeamDoc>, messages: () => [] };
    });
    return chosen;
  }

  private requireTeamManager(principal: Principal, teamId: string): void {
    if (hasRole(principal, 'crm-admin')) return;
    if (hasRole(principal, 'sales-manager', 'support-manager') && principal.teamIds.includes(teamId)) return;
    throw new ServiceError('PERMISSION_DENIED', "Only admins and the team's managers may change it");
  }
}
