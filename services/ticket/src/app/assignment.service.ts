// Automatic assignment: under the group's lock, the agents of the group with their availability (calendar,
// away flag, capacity against their open tickets) and the rotation, then the domain picks one.
import { businessTime } from '../domain/business-time';
import { pickAssignee, type Candidate } from '../domain/assignment';
import type { TicketRecord } from '../domain/ticket';
import type { AssignmentRotation } from '../store/assignment-rotation';
import type { TicketQueries } from '../store/ticket-queries';
import { tenantRecords, type TicketStores } from '../store/ticket-store';
import type { GroupRecord } from '../domain/support-records';

export class AssignmentService {
  constructor(
    private readonly stores: TicketStores,
    private readonly queries: TicketQueries,
    private readonly rotation: AssignmentRotation,
    /** The group's settings (SupportService.group: kept for a moment, forgotten when this replica changes it). */
    private readonly groupOf: (tenantId: string, groupId: string) => Promise<GroupRecord | undefined>,
  ) {}

  async assignAndCreate(
    tenantId: string,
    groupId: string,
    now: Date,
    create: (assigneeId: string) => Promise<TicketRecord>,
  ): Promise<TicketRecord> {
    const group = groupId ? await this.groupOf(tenantId, groupId) : undefined;
    if (!group || group.deletedAt || group.assignment === 'manual') return create('');
    return this.rotation.withGroupLock(tenantId, groupId, async (rotation, assigned) => {
      const [agents, calendars] = await Promise.all([
        tenantRecords(this.stores.agents, tenantId),
        tenantRecords(this.stores.calendars, tenantId),
      ]);
      const members = agents.filter((a) => a.groupIds.includes(groupId));
      const open = await this.queries.openCounts(
        tenantId,
        members.map((a) => a.userId),
      );
      const byId = new Map(calendars.map((c) => [c._id, c]));
      const candidates: Candidate[] = members.map((a) => {
        const calendar = a.calendarId ? byId.get(a.calendarId) : undefined;
        return {
          userId: a.userId,
          away: a.away,
          capacity: a.capacity,
          openTickets: open.get(a.userId) ?? 0,
          lastAssigned: rotation.get(a.userId) ?? 0,
          // An agent whose calendar is gone counts as never available rather than always.
          hours: a.calendarId
            ? calendar
              ? businessTime(calendar)
              : { add: (f) => f, between: () => 0, counts: () => false }
            : undefined,
        };
      });
      const assignee = pickAssignee(group.assignment, candidates, now) ?? '';
      const ticket = await create(assignee);
      if (assignee) await assigned(assignee);
      return ticket;
    });
  }
}
