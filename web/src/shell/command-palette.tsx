// Ctrl/Cmd+K: jump to any screen, run an action, or find a contact or company by typing part of its name.
import { useQuery } from '@tanstack/react-query';
import { Command } from 'cmdk';
import { Building2, LogOut, Moon, Plus, Search, Sun, User } from 'lucide-react';
import { useDeferredValue, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { fetchCompanies } from '../api/companies.api';
import { fetchContacts } from '../api/contacts.api';
import { useAccess } from '../app/access';
import { visibleNav } from '../app/nav';
import { useSession } from '../auth/session-context';
import { fullName } from '../domain/format';
import type { CreateKind } from './global-actions';
import { toggleTheme, useTheme } from './theme';

interface PaletteProps {
  open: boolean;
  onClose: () => void;
  onCreate: (kind: CreateKind) => void;
}

export function CommandPalette({ open, onClose, onCreate }: PaletteProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState('');
  const query = useDeferredValue(search.trim());
  const navigate = useNavigate();
  const access = useAccess();
  const { auth } = useSession();
  const { theme } = useTheme();
  const canSearch = query.length >= 2 && access.can('contactsRead');

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setSearch('');
      dialog.showModal();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const contacts = useQuery({
    queryKey: ['palette', 'contacts', query],
    queryFn: ({ signal }) => fetchContacts({ q: query }, undefined, signal),
    enabled: open && canSearch,
    staleTime: 10_000,
  });
  const companies = useQuery({
    queryKey: ['palette', 'companies', query],
    queryFn: ({ signal }) => fetchCompanies({ q: query }, undefined, signal),
    enabled: open && canSearch,
    staleTime: 10_000,
  });

  const run = (action: () => void) => {
    onClose();
    action();
  };
  const matches = (text: string) => !query || text.toLowerCase().includes(query.toLowerCase());
  const pages = visibleNav(access).filter((item) => matches(item.label));
  const actions = [
    access.can('contactsWrite') && {
      id: 'new-contact',
      label: 'New contact',
      icon: Plus,
      run: () => onCreate('contact'),
    },
    access.can('contactsWrite') && {
      id: 'new-company',
      label: 'New company',
      icon: Plus,
      run: () => onCreate('company'),
    },
    access.can('dealsWrite') && { id: 'new-deal', label: 'New deal', icon: Plus, run: () => onCreate('deal') },
    {
      id: 'theme',
      label: theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme',
      icon: theme === 'dark' ? Sun : Moon,
      run: toggleTheme,
    },
    { id: 'sign-out', label: 'Sign out', icon: LogOut, run: () => void auth.signOut() },
  ].filter((a): a is Exclude<typeof a, false> => Boolean(a) && matches((a as { label: string }).label));

  // Enter runs the first result as soon as results arrive, even when they arrive after the typing.
  const values = [
    ...(canSearch ? (contacts.data?.data.slice(0, 6).map((c) => `contact-${c.id}`) ?? []) : []),
    ...(canSearch ? (companies.data?.data.slice(0, 4).map((c) => `company-${c.id}`) ?? []) : []),
    ...pages.map((item) => `go-${item.to}`),
    ...actions.map((action) => action.id),
  ];
  const firstValue = values[0] ?? '';
  const selectedValue = values.includes(selected) ? selected : firstValue;

  return (
    <dialog
      ref={ref}
      className="dialog palette"
      aria-label="Search and commands"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === ref.current) onClose();
      }}
    >
      {open ? (
        <Command
          label="Search and commands"
          shouldFilter={false}
          loop
          value={selectedValue}
          onValueChange={setSelected}
        >
          <div className="palette-input">
            <Search size={18} aria-hidden="true" />
            <Command.Input
              value={search}
              onValueChange={setSearch}
              placeholder="Search contacts and companies, or type a command…"
              autoFocus
            />
          </div>
          <Command.List className="palette-list">
            <Command.Empty className="palette-empty">
              {contacts.isFetching || companies.isFetching ? 'Searching…' : 'Nothing found.'}
            </Command.Empty>
            {canSearch && (contacts.data?.data.length ?? 0) > 0 ? (
              <Command.Group heading="Contacts">
                {contacts.data?.data.slice(0, 6).map((c) => (
                  <Command.Item
                    key={c.id}
                    value={`contact-${c.id}`}
                    onSelect={() => run(() => navigate(`/contacts/${c.id}`))}
                  >
                    <User size={16} aria-hidden="true" />
                    <span className="grow truncate">{fullName(c)}</span>
                    <span className="subtle truncate">{c.companyName || c.emails[0]?.address}</span>
                  </Command.Item>
                ))}
              </Command.Group>
            ) : null}
            {canSearch && (companies.data?.data.length ?? 0) > 0 ? (
              <Command.Group heading="Companies">
                {companies.data?.data.slice(0, 4).map((c) => (
                  <Command.Item
                    key={c.id}
                    value={`company-${c.id}`}
                    onSelect={() => run(() => navigate(`/companies/${c.id}`))}
                  >
                    <Building2 size={16} aria-hidden="true" />
                    <span className="grow truncate">{c.name}</span>
                    <span className="subtle truncate">{c.domain}</span>
                  </Command.Item>
                ))}
              </Command.Group>
            ) : null}
            {pages.length > 0 ? (
              <Command.Group heading="Go to">
                {pages.map((item) => (
                  <Command.Item key={item.to} value={`go-${item.to}`} onSelect={() => run(() => navigate(item.to))}>
                    <item.icon size={16} aria-hidden="true" />
                    {item.label}
                  </Command.Item>
                ))}
              </Command.Group>
            ) : null}
            {actions.length > 0 ? (
              <Command.Group heading="Actions">
                {actions.map((action) => (
                  <Command.Item key={action.id} value={action.id} onSelect={() => run(action.run)}>
                    <action.icon size={16} aria-hidden="true" />
                    {action.label}
                  </Command.Item>
                ))}
              </Command.Group>
            ) : null}
          </Command.List>
        </Command>
      ) : null}
    </dialog>
  );
}
