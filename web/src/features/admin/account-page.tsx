// Who the user is as the platform sees it: identity, tenant, roles and teams from the Keycloak token, and what
// those allow (the permissions GET /api/v1/me reports).
import { Check, Minus } from 'lucide-react';
import { useAccess } from '../../app/access';
import { useMe } from '../../api/session.api';
import { useSession } from '../../auth/session-context';
import { roleLabels } from '../../domain/format';
import { Avatar, PageHeader } from '../../ui/misc';

const PERMISSION_LABELS: Record<string, string> = {
  contactsRead: 'See contacts and companies',
  contactsWrite: 'Create and edit contacts and companies',
  contactsCurate: 'Merge and restore contacts',
  privacyAndBulk: 'Import, export, and GDPR data exports',
  erase: 'Erase personal data',
  admin: 'Administer pipelines, custom fields and settings',
  dealsRead: 'See deals',
  dealsWrite: 'Create and move deals',
  forecast: 'See the forecast',
};

export function AccountPage() {
  const { profile } = useSession();
  const access = useAccess();
  const me = useMe();
  const roles = roleLabels(access.roles);
  return (
    <div className="page">
      <PageHeader
        title="Access & teams"
        subtitle="From your sign-in (Keycloak); an administrator changes them there."
      />
      <div className="detail-grid">
        <section className="card card-pad stack">
          <div className="row">
            <Avatar name={profile.name || profile.username} id={profile.userId} size="lg" />
            <div>
              <h2>{profile.name}</h2>
              <p className="subtle">
                {profile.username} · {profile.email}
              </p>
            </div>
          </div>
          <dl className="facts">
            <dt>Organisation (tenant)</dt>
            <dd>{me.data?.tenantId ?? profile.tenant}</dd>
            <dt>Roles</dt>
            <dd className="row wrap">
              {roles.map((r) => (
                <span key={r} className="badge badge-accent">
                  {r}
                </span>
              ))}
            </dd>
            <dt>Teams</dt>
            <dd className="row wrap">
              {access.teamIds.length ? (
                access.teamIds.map((t) => (
                  <span key={t} className="badge">
                    {t}
                  </span>
                ))
              ) : (
                <span className="subtle">None</span>
              )}
            </dd>
            <dt>User id</dt>
            <dd>
              <code>{profile.userId}</code>
            </dd>
          </dl>
        </section>
        <section className="card">
          <div className="card-header">
            <h2>What you can do</h2>
          </div>
          <ul className="simple-list card-body">
            {Object.entries(PERMISSION_LABELS).map(([key, label]) => (
              <li key={key} className="row simple-row">
                {access.can(key) ? (
                  <Check size={16} className="text-success" aria-label="allowed" />
                ) : (
                  <Minus size={16} className="subtle" aria-label="not allowed" />
                )}
                <span className={access.can(key) ? undefined : 'subtle'}>{label}</span>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
