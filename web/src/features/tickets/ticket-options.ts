// Who and where a ticket can go: the support groups and agents the API knows, plus the user's own groups.
import { useSupportAgents, useSupportGroups, type SupportAgent } from '../../api/tickets.api';
import { useAccess } from '../../app/access';
import { personLabel } from '../../domain/format';

export function useTicketOptions() {
  const access = useAccess();
  const enabled = access.can('supportConfigRead');
  const agents = useSupportAgents(enabled).data ?? [];
  const configured = useSupportGroups(enabled).data ?? [];
  const groups = [
    ...new Set([...access.teamIds, ...configured.map((g) => g.groupId), ...agents.flatMap((a) => a.groupIds)]),
  ]
    .filter(Boolean)
    .sort();
  return { agents, groups, me: access.userId };
}

export function agentLabel(userId: string, agents: readonly SupportAgent[], me: string | undefined): string {
  if (userId && userId === me) return 'You';
  const agent = agents.find((a) => a.userId === userId);
  return agent?.name || personLabel(userId, me);
}
