// Macros (crm-admin, support managers): named field changes and an optional reply that agents apply in one click.
import { useQueryClient } from '@tanstack/react-query';
import { Pencil, Plus, Trash2, Wand2 } from 'lucide-react';
import { useState } from 'react';
import { api, unwrap } from '../../api/http-client';
import {
  createMacro,
  deleteMacro,
  replaceMacro,
  ticketKeys,
  useMacros,
  type Macro,
  type MacroInput,
} from '../../api/tickets.api';
import { humanize } from '../../domain/format';
import { SETTABLE_STATUSES, TICKET_PRIORITIES } from '../../domain/ticket-queues';
import { Dialog } from '../../ui/dialog';
import { Field } from '../../ui/field';
import { EmptyState, ErrorPanel, PageHeader, SkeletonRows } from '../../ui/misc';
import { useToasts } from '../../ui/toast';
import { ConflictDialog } from '../records/conflict-dialog';
import { useReplace } from './use-replace';
import '../../styles/support.css';

type Actions = MacroInput['actions'];

function actionsOf(macro: Macro): Actions {
  const a = macro.actions as Partial<Actions>;
  return {
    ...(a.status ? { status: a.status } : {}),
    ...(a.priority ? { priority: a.priority } : {}),
    ...(a.assigneeId ? { assigneeId: a.assigneeId } : {}),
    ...(a.groupId ? { groupId: a.groupId } : {}),
    addTags: a.addTags ?? [],
    removeTags: a.removeTags ?? [],
    reply: a.reply ?? '',
    replyPublic: a.replyPublic ?? true,
  };
}

export function summary(actions: Actions): string {
  return [
    actions.status ? `status ${humanize(actions.status).toLowerCase()}` : '',
    actions.priority ? `priority ${actions.priority}` : '',
    actions.assigneeId ? `assign ${actions.assigneeId === 'me' ? 'to the agent' : actions.assigneeId}` : '',
    actions.groupId ? `group ${actions.groupId}` : '',
    actions.addTags?.length ? `+${actions.addTags.map((t) => `#${t}`).join(' ')}` : '',
    actions.removeTags?.length ? `−${actions.removeTags.map((t) => `#${t}`).join(' ')}` : '',
    actions.reply ? (actions.replyPublic ? 'public reply' : 'internal note') : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

export function MacrosAdminPage() {
  const client = useQueryClient();
  const toasts = useToasts();
  const macros = useMacros();
  const [editing, setEditing] = useState<Macro | 'new' | undefined>();
  const reload = () => client.invalidateQueries({ queryKey: ticketKeys.macros });

  const remove = async (macro: Macro) => {
    if (!window.confirm(`Delete the macro "${macro.name}"?`)) return;
    try {
      await deleteMacro(macro.id, macro.version);
      toasts.success('Macro deleted', macro.name);
    } catch (error) {
      toasts.error(error, 'Not deleted');
    }
    await reload();
  };

  return (
    <div className="page">
      <PageHeader
        title="Macros"
        subtitle="Field changes and a canned reply, applied to a ticket in one click"
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            <Plus size={16} aria-hidden="true" /> New macro
          </button>
        }
      />
      {macros.isPending ? (
        <SkeletonRows rows={4} />
      ) : macros.isError ? (
        <ErrorPanel error={macros.error} onRetry={() => void macros.refetch()} />
      ) : (macros.data ?? []).length === 0 ? (
        <EmptyState icon={<Wand2 size={22} />} title="No macros yet">
          Write the answers your team gives every day once.
        </EmptyState>
      ) : (
        <ul className="card admin-list" aria-label="Macros">
          {(macros.data ?? []).map((macro) => (
            <li key={macro.id} className="admin-item">
              <div className="grow" style={{ minWidth: 0 }}>
                <strong>{macro.name}</strong>
                {macro.description ? <div className="muted">{macro.description}</div> : null}
                <div className="subtle">{summary(actionsOf(macro)) || 'No action'}</div>
              </div>
              <button
                type="button"
                className="icon-btn"
                aria-label={`Edit ${macro.name}`}
                onClick={() => setEditing(macro)}
              >
                <Pencil size={16} />
              </button>
              <button
                type="button"
                className="icon-btn"
                aria-label={`Delete ${macro.name}`}
                onClick={() => void remove(macro)}
              >
                <Trash2 size={16} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {editing ? (
        <MacroDialog
          macro={editing === 'new' ? undefined : editing}
          onClose={() => {
            setEditing(undefined);
            void reload();
          }}
        />
      ) : null}
    </div>
  );
}

const csv = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function MacroDialog({ macro, onClose }: { macro: Macro | undefined; onClose: () => void }) {
  const toasts = useToasts();
  const initial = macro ? actionsOf(macro) : { addTags: [], removeTags: [], reply: '', replyPublic: true };
  const [name, setName] = useState(macro?.name ?? '');
  const [description, setDescription] = useState(macro?.description ?? '');
  const [actions, setActions] = useState<Actions>(initial);
  const [addTags, setAddTags] = useState((initial.addTags ?? []).join(', '));
  const [removeTags, setRemoveTags] = useState((initial.removeTags ?? []).join(', '));
  const [error, setError] = useState<string | undefined>();
  const replacer = useReplace<Macro, MacroInput>({
    replace: (version, input) => replaceMacro(macro?.id ?? '', version, input),
    fetchLatest: () => unwrap(api.GET('/api/v1/macros/{id}', { params: { path: { id: macro?.id ?? '' } } })),
    onSaved: (saved) => {
      toasts.success('Macro saved', saved.name);
      onClose();
    },
  });
  const set = (patch: Partial<Actions>) => setActions((a) => ({ ...a, ...patch }));
  const pick = (key: 'status' | 'priority' | 'assigneeId' | 'groupId', value: string) =>
    setActions((a) => {
      const next: Record<string, unknown> = { ...a };
      if (value) next[key] = value;
      else delete next[key];
      return next as Actions;
    });

  const submit = async () => {
    if (!name.trim()) return setError('Give the macro a name');
    setError(undefined);
    const input: MacroInput = {
      name: name.trim(),
      description: description.trim(),
      actions: { ...actions, addTags: csv(addTags), removeTags: csv(removeTags) },
    };
    try {
      if (macro) await replacer.save(macro, input);
      else {
        const created = await createMacro(input);
        toasts.success('Macro created', created.name);
        onClose();
      }
    } catch (e) {
      toasts.error(e, 'Not saved');
    }
  };

  return (
    <>
      <Dialog
        open={!replacer.pending}
        onClose={onClose}
        wide
        title={macro ? `Edit ${macro.name}` : 'New macro'}
        onSubmit={() => void submit()}
        footer={
          <>
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary">
              Save macro
            </button>
          </>
        }
      >
        <div className="form-grid">
          {error ? (
            <div className="alert alert-danger span-2" role="alert">
              {error}
            </div>
          ) : null}
          <Field label="Name" required>
            <input className="input" value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field label="Description">
            <input className="input" value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
          <Field label="Set status">
            <select className="select" value={actions.status ?? ''} onChange={(e) => pick('status', e.target.value)}>
              <option value="">Leave as is</option>
              {SETTABLE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Set priority">
            <select
              className="select"
              value={actions.priority ?? ''}
              onChange={(e) => pick('priority', e.target.value)}
            >
              <option value="">Leave as is</option>
              {TICKET_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {humanize(p)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Assign">
            <select
              className="select"
              value={actions.assigneeId ?? ''}
              onChange={(e) => pick('assigneeId', e.target.value)}
            >
              <option value="">Leave as is</option>
              <option value="me">To the agent applying it</option>
              <option value="none">Unassign</option>
            </select>
          </Field>
          <Field label="Move to group" hint="Empty: leave as is">
            <input
              className="input"
              value={actions.groupId ?? ''}
              onChange={(e) => pick('groupId', e.target.value.trim())}
            />
          </Field>
          <Field label="Add tags" hint="Comma-separated">
            <input className="input" value={addTags} onChange={(e) => setAddTags(e.target.value)} />
          </Field>
          <Field label="Remove tags" hint="Comma-separated">
            <input className="input" value={removeTags} onChange={(e) => setRemoveTags(e.target.value)} />
          </Field>
          <Field label="Reply" className="span-2" hint="Empty: no message">
            <textarea
              className="textarea"
              rows={4}
              value={actions.reply}
              onChange={(e) => set({ reply: e.target.value })}
            />
          </Field>
          <label className="checkbox-row">
            <input
              type="checkbox"
              checked={!actions.replyPublic}
              onChange={(e) => set({ replyPublic: !e.target.checked })}
            />
            Post the message as an internal note
          </label>
        </div>
      </Dialog>
      <ConflictDialog
        pending={replacer.pending}
        recordLabel="macro"
        onReapply={() => void replacer.reapply()}
        onDiscard={replacer.discard}
      />
    </>
  );
}
