// Filter state kept in the URL (shareable, survives reload and back), and the owner/team filter every list has.
import { useSearchParams } from 'react-router';
import { useAccess } from '../../app/access';

export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as Record<K, string>;
  const set = (key: K, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  return { values, set };
}

/** "" (everything visible), "me", or "team:<id>"; turned into the API's ownerId / teamId. */
export function scopeFilter(scope: string, userId: string | undefined): { ownerId?: string; teamId?: string } {
  if (scope === 'me' && userId) return { ownerId: userId };
  if (scope.startsWith('team:')) return { teamId: scope.slice(5) };
  return {};
}

export function ScopeSelect({
  value,
  onChange,
  label = 'Owner',
}: {
  value: string;
  onChange: (v: string) => void;
  label?: string;
}) {
  const access = useAccess();
  return (
    <select className="select" aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{access.isAdmin || access.isManager ? 'Everyone I can see' : 'All I can see'}</option>
      <option value="me">Mine</option>
      {access.teamIds.map((team) => (
        <option key={team} value={`team:${team}`}>
          Team {team}
        </option>
      ))}
    </select>
  );
}
