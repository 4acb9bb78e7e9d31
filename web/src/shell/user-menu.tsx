import { Keyboard, LogOut, Monitor, Moon, ShieldCheck, Sun } from 'lucide-react';
import { useNavigate } from 'react-router';
import { useAccess } from '../app/access';
import { useSession } from '../auth/session-context';
import { roleLabels } from '../domain/format';
import { Avatar } from '../ui/misc';
import { MenuButton } from '../ui/menu';
import { setThemeChoice, useTheme, type ThemeChoice } from './theme';

const THEMES: { choice: ThemeChoice; label: string; icon: typeof Sun }[] = [
  { choice: 'light', label: 'Light', icon: Sun },
  { choice: 'dark', label: 'Dark', icon: Moon },
  { choice: 'system', label: 'System', icon: Monitor },
];

export function UserMenu({ onHelp }: { onHelp: () => void }) {
  const { auth, profile } = useSession();
  const access = useAccess();
  const { choice } = useTheme();
  const navigate = useNavigate();
  const roles = roleLabels(access.roles);
  return (
    <MenuButton
      className="user-button"
      buttonContent={
        <>
          <Avatar name={profile.name || profile.username} id={profile.userId} />
          <span className="user-button-text">
            <span className="user-button-name">{profile.name}</span>
            <span className="subtle">
              {roles[0] ?? 'Signed in'} · {profile.tenant}
            </span>
          </span>
        </>
      }
    >
      {(close) => (
        <>
          <div style={{ padding: '8px 10px 10px' }}>
            <div style={{ fontWeight: 650 }}>{profile.name}</div>
            <div className="subtle">{profile.email}</div>
            <div className="row wrap" style={{ marginTop: 8, gap: 6 }}>
              <span className="badge badge-accent">Tenant: {profile.tenant}</span>
              {roles.map((r) => (
                <span key={r} className="badge">
                  {r}
                </span>
              ))}
              {access.teamIds.map((t) => (
                <span key={t} className="badge">
                  Team {t}
                </span>
              ))}
            </div>
          </div>
          <div className="menu-separator" />
          <div className="segmented" role="group" aria-label="Theme" style={{ margin: '4px 6px 8px', display: 'flex' }}>
            {THEMES.map(({ choice: c, label, icon: Icon }) => (
              <button
                key={c}
                type="button"
                aria-pressed={choice === c}
                onClick={() => setThemeChoice(c)}
                style={{ flex: 1 }}
              >
                <Icon size={14} aria-hidden="true" /> {label}
              </button>
            ))}
          </div>
          <button type="button" className="menu-item" onClick={() => (close(), navigate('/account'))}>
            <ShieldCheck size={16} aria-hidden="true" /> Access & teams
          </button>
          <button type="button" className="menu-item" onClick={() => (close(), onHelp())}>
            <Keyboard size={16} aria-hidden="true" /> Keyboard shortcuts
          </button>
          <div className="menu-separator" />
          <button type="button" className="menu-item" onClick={() => void auth.signOut()}>
            <LogOut size={16} aria-hidden="true" /> Sign out
          </button>
        </>
      )}
    </MenuButton>
  );
}
