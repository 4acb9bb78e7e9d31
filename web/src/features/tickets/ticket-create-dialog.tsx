import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { formErrorsOf } from '../../api/problem';
import { createTicket, useTicketCache, type TicketCreate } from '../../api/tickets.api';
import { humanize } from '../../domain/format';
import { TICKET_PRIORITIES, TICKET_TYPES } from '../../domain/ticket-queues';
import { Dialog } from '../../ui/dialog';
import { Field } from '../../ui/field';
import { useToasts } from '../../ui/toast';
import { useTicketOptions } from './ticket-options';

interface TicketForm {
  subject: string;
  description: string;
  requesterEmail: string;
  requesterName: string;
  priority: string;
  type: string;
  groupId: string;
  tags: string;
}

const FIELDS = ['subject', 'description', 'requesterEmail', 'requesterName', 'priority', 'type', 'groupId', 'tags'];

export function TicketCreateDialog({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const toasts = useToasts();
  const remember = useTicketCache();
  const { groups } = useTicketOptions();
  const { register, handleSubmit, setError, formState } = useForm<TicketForm>({
    defaultValues: {
      subject: '',
      description: '',
      requesterEmail: '',
      requesterName: '',
      priority: 'normal',
      type: 'question',
      groupId: '',
      tags: '',
    },
  });

  const submit = async (values: TicketForm) => {
    const body: TicketCreate = {
      subject: values.subject.trim(),
      ...(values.description.trim() ? { description: values.description.trim() } : {}),
      ...(values.requesterEmail.trim() ? { requesterEmail: values.requesterEmail.trim() } : {}),
      ...(values.requesterName.trim() ? { requesterName: values.requesterName.trim() } : {}),
      priority: values.priority as TicketCreate['priority'],
      type: values.type as TicketCreate['type'],
      ...(values.groupId ? { groupId: values.groupId } : {}),
      ...(values.tags.trim()
        ? {
            tags: values.tags
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          }
        : {}),
      channel: 'phone',
    };
    try {
      const ticket = await createTicket(body);
      remember(ticket);
      toasts.success('Ticket created', ticket.subject);
      onClose();
      navigate(`/tickets/${ticket.id}`);
    } catch (error) {
      let shown = false;
      for (const [name, message] of Object.entries(formErrorsOf(error, { 'tags[]': 'tags' })))
        if (FIELDS.includes(name)) {
          setError(name as keyof TicketForm, { message });
          shown = true;
        }
      if (!shown) toasts.error(error, 'Ticket not created');
    }
  };

  const err = (name: keyof TicketForm) => formState.errors[name]?.message;
  return (
    <Dialog
      open
      onClose={onClose}
      title="New ticket"
      wide
      onSubmit={handleSubmit(submit)}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={formState.isSubmitting}>
            Create ticket
          </button>
        </>
      }
    >
      <div className="form-grid">
        <Field label="Subject" required error={err('subject')} className="span-2">
          <input className="input" autoFocus {...register('subject', { required: 'Give the ticket a subject' })} />
        </Field>
        <Field label="Requester email" error={err('requesterEmail')}>
          <input className="input" type="email" {...register('requesterEmail')} />
        </Field>
        <Field label="Requester name" error={err('requesterName')}>
          <input className="input" {...register('requesterName')} />
        </Field>
        <Field label="Priority" error={err('priority')}>
          <select className="select" {...register('priority')}>
            {TICKET_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {humanize(p)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Type" error={err('type')}>
          <select className="select" {...register('type')}>
            {TICKET_TYPES.map((t) => (
              <option key={t} value={t}>
                {humanize(t)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Group" error={err('groupId')} hint="Empty: your first group">
          <select className="select" {...register('groupId')}>
            <option value="">Default</option>
            {groups.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Tags" error={err('tags')} hint="Comma-separated">
          <input className="input" {...register('tags')} />
        </Field>
        <Field label="Description" error={err('description')} className="span-2">
          <textarea className="textarea" rows={5} {...register('description')} />
        </Field>
      </div>
    </Dialog>
  );
}
