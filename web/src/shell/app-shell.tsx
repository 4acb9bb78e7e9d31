// The frame around every screen: navigation by role, the search/command trigger, live status, the user's menu,
// the offline banner, keyboard shortcuts, and the create dialogs any screen can open.
import { Keyboard, Search } from 'lucide-react';
import { Suspense, lazy, useMemo, useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useAccess } from '../app/access';
import { SECTION_ORDER, visibleNav } from '../app/nav';
import { displayKeys, type ShortcutAction } from '../domain/shortcuts';
import { useLiveStatus } from '../live/live-updates';
import { CommandPalette } from './command-palette';
import { NotificationCenter } from './notification-center';
import { GlobalActionsProvider, type CreateKind, type GlobalActions } from './global-actions';
import { OfflineBanner } from './offline-banner';
import { ShortcutsHelp } from './shortcuts-help';
import { toggleTheme } from './theme';
import { IS_MAC, useShortcuts } from './use-shortcuts';
import { UserMenu } from './user-menu';

const ContactCreateDialog = lazy(() =>
  import('../features/contacts/contact-create-dialog').then((m) => ({ default: m.ContactCreateDialog })),
);
const CompanyCreateDialog = lazy(() =>
  import('../features/companies/company-create-dialog').then((m) => ({ default: m.CompanyCreateDialog })),
);
const DealCreateDialog = lazy(() =>
  import('../features/deals/deal-create-dialog').then((m) => ({ default: m.DealCreateDialog })),
);

const LIVE_LABELS = {
  live: 'Live',
  connecting: 'Connecting',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
  closed: 'Offline',
};

export function AppShell() {
  const access = useAccess();
  const navigate = useNavigate();
  const live = useLiveStatus();
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [create, setCreate] = useState<{ kind: CreateKind; preset?: Record<string, string> } | undefined>();
  const items = visibleNav(access);

  const actions = useMemo<GlobalActions>(
    () => ({
      openCreate: (kind, preset) => setCreate({ kind, ...(preset ? { preset } : {}) }),
      openPalette: () => setPaletteOpen(true),
      openHelp: () => setHelpOpen(true),
    }),
    [],
  );

  useShortcuts((action: ShortcutAction) => {
    const go: Partial<Record<ShortcutAction, string>> = {
      'go-contacts': '/contacts',
      'go-companies': '/companies',
      'go-deals': '/deals',
      'go-forecast': '/forecast',
      'go-imports': '/imports',
    };
    const path = go[action];
    if (path) return void (items.some((i) => i.to === path) && navigate(path));
    if (action === 'palette') return setPaletteOpen(true);
    if (action === 'help') return setHelpOpen(true);
    if (action === 'toggle-theme') return toggleTheme();
    if (action === 'new-contact' && access.can('contactsWrite')) return setCreate({ kind: 'contact' });
    if (action === 'new-deal' && access.can('dealsWrite')) return setCreate({ kind: 'deal' });
    if (action === 'search') document.querySelector<HTMLInputElement>('[data-list-search]')?.focus();
  });

  return (
    <GlobalActionsProvider value={actions}>
      <div className="app-shell">
        <nav className="sidebar" aria-label="Main">
          <div className="brand">
            <img src="/icons/icon.svg" alt="" />
            CRM
          </div>
          {SECTION_ORDER.map((section) => {
            const inSection = items.filter((i) => i.section === section);
            if (inSection.length === 0) return null;
            return (
              <div key={section} role="group" aria-labelledby={`nav-${section}`}>
                <div id={`nav-${section}`} className="nav-section">
                  {section}
                </div>
                {inSection.map((item) => (
                  <NavLink key={item.to} to={item.to} className="nav-link">
                    <item.icon size={18} aria-hidden="true" />
                    {item.label}
                  </NavLink>
                ))}
              </div>
            );
          })}
          <div className="sidebar-footer">
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setHelpOpen(true)}>
              <Keyboard size={15} aria-hidden="true" /> Shortcuts <kbd className="kbd">?</kbd>
            </button>
          </div>
        </nav>
        <header className="topbar">
          <img src="/icons/icon.svg" alt="" className="mobile-only" width={26} height={26} />
          <button type="button" className="palette-trigger" onClick={() => setPaletteOpen(true)}>
            <Search size={16} aria-hidden="true" />
            <span className="truncate">Search or jump to…</span>
            <kbd className="kbd">{displayKeys('mod+k', IS_MAC)[0]}</kbd>
          </button>
          <div className="grow" />
          <span className="live-dot desktop-only" data-status={live} title="Live updates">
            {LIVE_LABELS[live]}
          </span>
          <NotificationCenter />
          <UserMenu onHelp={() => setHelpOpen(true)} />
        </header>
        <main className="main" id="main">
          <OfflineBanner />
          <Suspense fallback={null}>
            <Outlet />
          </Suspense>
        </main>
        <nav className="bottom-nav" aria-label="Main (phone)">
          {items
            .filter((i) => i.mobile)
            .slice(0, 5)
            .map((item) => (
              <NavLink key={item.to} to={item.to}>
                <item.icon size={20} aria-hidden="true" />
                {item.label}
              </NavLink>
            ))}
        </nav>
      </div>
      <CommandPalette
        open={paletteOpen}
        onClose={() => setPaletteOpen(false)}
        onCreate={(kind) => setCreate({ kind })}
      />
      <ShortcutsHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
      <Suspense fallback={null}>
        {create?.kind === 'contact' ? <ContactCreateDialog onClose={() => setCreate(undefined)} /> : null}
        {create?.kind === 'company' ? <CompanyCreateDialog onClose={() => setCreate(undefined)} /> : null}
        {create?.kind === 'deal' ? (
          <DealCreateDialog preset={create.preset} onClose={() => setCreate(undefined)} />
        ) : null}
      </Suspense>
    </GlobalActionsProvider>
  );
}
