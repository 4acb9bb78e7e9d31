// Logging a call, email, meeting or note in two clicks: pick the kind (the form opens with sensible defaults),
// then "Log". The entry appears in the timeline at once and is confirmed by the server in the background.
import { useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useState } from 'react';
import { logActivity } from '../../api/contacts.api';
import { queryKeys } from '../../api/query-keys';
import type { Activity, ActivityCreate, ActivityType, Page } from '../../api/types';
import { useSession } from '../../auth/session-context';
import { useToasts } from '../../ui/toast';
import { ACTIVITY_TYPES } from './activity-meta';

/** The call outcomes the API knows. */
const OUTCOMES = [
  { value: 'connected', label: 'Connected' },
  { value: 'left_voicemail', label: 'Left voicemail' },
  { value: 'no_answer', label: 'No answer' },
  { value: 'busy', label: 'Busy' },
  { value: 'wrong_number', label: 'Wrong number' },
] as const;

export function ActivityComposer({
  contactId,
  dealId,
  initialType,
}: {
  contactId: string;
  dealId?: string;
  initialType?: ActivityType;
}) {
  const [type, setType] = useState<ActivityType | undefined>(initialType);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [direction, setDirection] = useState<'outbound' | 'inbound'>('outbound');
  const [minutes, setMinutes] = useState('');
  const [outcome, setOutcome] = useState<string>(OUTCOMES[0].value);
  const client = useQueryClient();
  const toasts = useToasts();
  const { profile } = useSession();
  const timelineKey = queryKeys.contacts.activities(contactId);

  const log = useMutation({
    mutationFn: (input: ActivityCreate) => logActivity(contactId, input),
    onMutate: async (input) => {
      await client.cancelQueries({ queryKey: timelineKey });
      const before = client.getQueryData<InfiniteData<Page<Activity>>>(timelineKey);
      const optimistic: Activity = {
        id: `pending-${Date.now()}`,
        tenantId: '',
        type: input.type,
        contactId,
        companyId: '',
        dealId: input.dealId ?? '',
        ticketId: '',
        subject: input.subject ?? '',
        body: input.body ?? '',
        occurredAt: new Date().toISOString(),
        call: input.call
          ? {
              direction: input.call.direction,
              durationSeconds: input.call.durationSeconds ?? 0,
              outcome: input.call.outcome ?? '',
            }
          : null,
        email: null,
        meeting: null,
        ownerId: profile.userId,
        teamId: '',
        version: 0,
        createdAt: new Date().toISOString(),
      } as Activity;
      if (before)
        client.setQueryData<InfiniteData<Page<Activity>>>(timelineKey, {
          ...before,
          pages: before.pages.map((p, i) => (i === 0 ? { ...p, data: [optimistic, ...p.data] } : p)),
        });
      return { before };
    },
    onError: (error, _input, context) => {
      if (context?.before) client.setQueryData(timelineKey, context.before);
      toasts.error(error, 'Activity not logged');
    },
    onSuccess: () => {
      setSubject('');
      setBody('');
      setMinutes('');
      setType(undefined);
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: timelineKey });
      void client.invalidateQueries({ queryKey: queryKeys.contacts.detail(contactId) });
    },
  });

  const submit = () => {
    if (!type) return;
    const label = ACTIVITY_TYPES.find((t) => t.type === type)?.label ?? type;
    const seconds = Math.round(Number(minutes.replace(',', '.')) * 60);
    const input: ActivityCreate = {
      type,
      subject:
        subject.trim() || (type === 'call' ? `${direction === 'outbound' ? 'Outbound' : 'Inbound'} call` : label),
      ...(body.trim() ? { body: body.trim() } : {}),
      ...(dealId ? { dealId } : {}),
      ...(type === 'call'
        ? {
            call: {
              direction,
              ...(Number.isFinite(seconds) && seconds > 0 ? { durationSeconds: seconds } : {}),
              outcome,
            },
          }
        : {}),
      ...(type === 'email' ? { email: { direction } } : {}),
    };
    log.mutate(input);
  };

  return (
    <div className="composer card">
      <div className="composer-kinds" role="group" aria-label="Log an activity">
        {ACTIVITY_TYPES.map(({ type: t, label, icon: Icon }) => (
          <button
            key={t}
            type="button"
            className={`composer-kind${type === t ? ' active' : ''}`}
            aria-pressed={type === t}
            onClick={() => setType(type === t ? undefined : t)}
          >
            <Icon size={16} aria-hidden="true" />
            {label}
          </button>
        ))}
      </div>
      {type ? (
        <form
          className="composer-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          {type === 'call' || type === 'email' ? (
            <div className="row wrap">
              <div className="segmented" role="group" aria-label="Direction">
                {(['outbound', 'inbound'] as const).map((d) => (
                  <button key={d} type="button" aria-pressed={direction === d} onClick={() => setDirection(d)}>
                    {d === 'outbound' ? 'Outbound' : 'Inbound'}
                  </button>
                ))}
              </div>
              {type === 'call' ? (
                <>
                  <select
                    className="select"
                    style={{ width: 'auto' }}
                    aria-label="Outcome"
                    value={outcome}
                    onChange={(e) => setOutcome(e.target.value)}
                  >
                    {OUTCOMES.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                  <input
                    className="input"
                    style={{ width: 110 }}
                    inputMode="decimal"
                    aria-label="Duration in minutes"
                    placeholder="Minutes"
                    value={minutes}
                    onChange={(e) => setMinutes(e.target.value)}
                  />
                </>
              ) : null}
            </div>
          ) : null}
          <input
            className="input"
            aria-label="Subject"
            placeholder="Subject (optional)"
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
          />
          <textarea
            className="textarea"
            aria-label="Notes"
            placeholder={type === 'note' ? 'Write a note…' : 'Notes (optional)'}
            value={body}
            onChange={(e) => setBody(e.target.value)}
          />
          <div className="row" style={{ justifyContent: 'flex-end' }}>
            <button type="button" className="btn btn-ghost" onClick={() => setType(undefined)}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={log.isPending}>
              {ACTIVITY_TYPES.find((t) => t.type === type)?.verb}
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
