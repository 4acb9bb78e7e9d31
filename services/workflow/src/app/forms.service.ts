// Web-form lead capture. A submission is checked (origin or HMAC, honeypot, fields), answered at once and worked
// as a durable run: upsert the contact by email through the contact service (an owner by the form's rule for a
// new one), log the submission as an activity, and create one open follow-up task per contact and form.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { ActivityInput } from '@crm/proto/crm/contact/v1/activity';
import { ContactInput } from '@crm/proto/crm/contact/v1/contact';
import {
  afterCursor,
  decodeCursor,
  hasRole,
  invalidArgument,
  notFound,
  orderBy,
  pageOf,
  pageSize,
  scopeOf,
  scopeSql,
  ServiceError,
  systemPrincipal,
  type Principal,
  type SortKey,
} from '@crm/service-kit';
import { deterministicId } from '../domain/deterministic-id';
import { honeypotTripped, formViolations, signatureValid, submissionValues } from '../domain/form';
import type { FormDoc } from '../domain/records';
import type { ActionStep } from '../domain/rule-definition';
import { actionIdOf, type RunDoc, type StepState } from '../domain/run';
import { render } from '../domain/template';
import type { AppDeps } from './app-deps';
import { requireConfigReader, requireConfigurer } from './access';
import type { AssignmentService } from './assignment.service';
import type { RunExecutor, StepOutcome, StepRunner } from './run-executor';
import type { TasksService } from './tasks.service';

export type FormInputJson = Pick<
  FormDoc,
  | 'name'
  | 'fields'
  | 'consentText'
  | 'allowedOrigins'
  | 'honeypotField'
  | 'assignment'
  | 'followUpTitle'
  | 'followUpDueMinutes'
  | 'enabled'
  | 'hmacEnabled'
>;

export interface Submission {
  formId: string;
  fields: Record<string, unknown>;
  origin: string;
  clientIp: string;
  userAgent: string;
  signature: string;
  rawBody: Buffer;
}

/** Follow-ups of one contact from one form, one after the other (each completed before the next). */
const FOLLOW_UP_CHAIN = 1_000;

const FORM_PLAN = [
  { id: 'contact', type: 'upsert_contact' },
  { id: 'activity', type: 'log_activity' },
  { id: 'follow-up', type: 'follow_up_task' },
] as unknown as ActionStep[];

export class FormsService {
  constructor(
    private readonly deps: AppDeps,
    private readonly executor: RunExecutor,
  ) {}

  async create(principal: Principal, input: FormInputJson): Promise<{ form: FormDoc; secret: string }> {
    requireConfigurer(principal, 'forms');
    const violations = formViolations(input);
    if (violations.length) throw invalidArgument(violations);
    const secret = input.hmacEnabled ? randomBytes(32).toString('hex') : '';
    const form = await this.deps.stores.forms.create(
      principal,
      {
        _id: uuidv7(),
        ownerId: principal.userId,
        teamId: input.assignment.teamId || '',
        ...input,
        honeypotField: input.honeypotField || 'website_url',
        followUpTitle: input.followUpTitle || 'Follow up on the web form: {{name}}',
        followUpDueMinutes: input.followUpDueMinutes || 1440,
        hmacSealed: secret ? this.deps.secrets.seal(secret) : '',
      },
      this.deps.events.form('workflow.form_created', principal),
    );
    return { form, secret };
  }

  async get(principal: Principal, id: string): Promise<FormDoc> {
    requireConfigReader(principal, 'forms');
    return this.deps.stores.forms.get(principal, id);
  }

  async update(principal: Principal, id: string, expectedVersion: number, input: FormInputJson): Promise<FormDoc> {
    requireConfigurer(principal, 'forms');
    const violations = formViolations(input);
    if (violations.length) throw invalidArgument(violations);
    return this.deps.stores.forms.update(principal, id, expectedVersion || undefined, (current) => ({
      set: {
        ...input,
        honeypotField: input.honeypotField || current.honeypotField,
        followUpTitle: input.followUpTitle || current.followUpTitle,
        followUpDueMinutes: input.followUpDueMinutes || current.followUpDueMinutes,
        hmacSealed: input.hmacEnabled
          ? current.hmacSealed || this.deps.secrets.seal(randomBytes(32).toString('hex'))
          : '',
      },
      messages: this.deps.events.form('workflow.form_updated', principal),
    }));
  }

  async delete(principal: Principal, id: string, expectedVersion: number): Promise<FormDoc> {
    requireConfigurer(principal, 'forms');
    return this.deps.stores.forms.update(principal, id, expectedVersion || undefined, () => ({
      set: { deletedAt: this.deps.clock(), enabled: false },
      messages: this.deps.events.form('workflow.form_deleted', principal),
    }));
  }

  async list(principal: Principal, limit: number, cursor: string): Promise<{ forms: FormDoc[]; nextCursor: string }> {
    requireConfigReader(principal, 'forms');
    const size = pageSize(limit);
    const keys: SortKey[] = [{ column: 'id', direction: 'asc' }];
    const after = cursor ? afterCursor(keys, decodeCursor(cursor, 1)) : sql`true`;
    const { rows } = await sql<{ id: string }>`
      select id from forms where ${scopeSql(scopeOf(principal, 'forms', 'read'))} and not deleted and ${after}
      order by ${orderBy(keys)} limit ${size + 1}`.execute(this.deps.db);
    const page = pageOf(rows, size, (r) => [r.id]);
    return {
      forms: await this.deps.stores.forms.getMany(
        principal,
        page.rows.map((r) => r.id),
      ),
      nextCursor: page.nextCursor,
    };
  }

  async describePublic(principal: Principal, formId: string): Promise<string[]> {
    return (await this.publicForm(principal, formId)).allowedOrigins;
  }

  /** A public submission; the run id, or '' when the honeypot caught a bot (answered the same). */
  async submit(principal: Principal, submission: Submission): Promise<string> {
    const form = await this.publicForm(principal, submission.formId);
    if (submission.origin) {
      if (!form.allowedOrigins.includes(submission.origin))
        throw new ServiceError('PERMISSION_DENIED', 'This origin may not post to the form', {
          reason: 'ORIGIN_NOT_ALLOWED',
        });
    } else {
      const secret = form.hmacEnabled && form.hmacSealed ? this.deps.secrets.open(form.hmacSealed) : '';
      if (!secret || !signatureValid(secret, submission.signature, submission.rawBody, this.deps.clock()))
        throw new ServiceError('PERMISSION_DENIED', 'A server-side post needs a valid X-Crm-Signature', {
          reason: 'BAD_SIGNATURE',
        });
    }
    if (honeypotTripped(form.honeypotField, submission.fields)) return '';
    const { values, violations } = submissionValues(form.fields, form.honeypotField, submission.fields);
    if (violations.length) throw invalidArgument(violations);
    const now = this.deps.clock();
    const run = await this.executor.start({
      id: uuidv7(),
      tenantId: form.tenantId,
      ruleId: form._id,
      ruleVersion: form.version,
      ruleName: `form: ${form.name}`,
      plan: FORM_PLAN,
      triggerType: 'form',
      eventId: '',
      eventType: 'workflow.form_submitted',
      subjectType: 'contact',
      subjectId: '',
      ownerId: form.ownerId,
      teamId: form.teamId,
      context: {
        form: { id: form._id, name: form.name, version: form.version },
        submission: {
          values,
          origin: submission.origin,
          clientIp: submission.clientIp,
          userAgent: submission.userAgent,
          submittedAt: now.toISOString(),
        },
      },
    });
    return run._id;
  }

  private async publicForm(principal: Principal, formId: string): Promise<FormDoc> {
    if (!hasRole(principal, 'crm-service')) throw new ServiceError('PERMISSION_DENIED', 'for the gateway only');
    const form = await this.deps.stores.forms.load(formId);
    if (!form || form.deletedAt || !form.enabled) throw notFound('form');
    return form;
  }
}

/** The steps of a form's run; other steps go to the rule actions. */
export class FormStepRunner implements StepRunner {
  constructor(
    private readonly deps: AppDeps,
    private readonly tasks: TasksService,
    private readonly assignment: AssignmentService,
    private readonly next: StepRunner,
  ) {}

  async perform(
    step: ActionStep,
    run: RunDoc,
    state: StepState,
    context: Record<string, unknown>,
  ): Promise<StepOutcome> {
    const type = (step as { type: string }).type;
    if (type !== 'upsert_contact' && type !== 'log_activity' && type !== 'follow_up_task')
      return this.next.perform(step, run, state, context);
    const form = await this.deps.stores.forms.load(run.ruleId);
    if (!form) return { kind: 'fail', error: 'the form was deleted' };
    const submission = context.submission as { values: Record<string, string>; submittedAt: string; clientIp: string };
    const values = submission.values;
    const mapped = (target: string) => {
      const field = form.fields.find((f) => f.mapsTo === target);
      return field ? (values[field.name] ?? '') : '';
    };
    const steps = context.steps as Record<string, { output: { contactId?: string; ownerId?: string } }>;
    const c = this.deps.clients;
    const tenantId = run.tenantId;
    const actionId = actionIdOf(run._id, state.id);
    if (type === 'upsert_contact') {
      const email = mapped('email').toLowerCase();
      const input = { email };
      const found = await c.call(tenantId, c.contacts.searchContacts.bind(c.contacts), { query: email, limit: 10 });
      const hit = found.hits.find((h) => h.contact?.emails.some((e) => e.address.toLowerCase() === email));
      if (hit?.contact)
        return {
          kind: 'done',
          input,
          output: { contactId: hit.contact.id, ownerId: hit.contact.ownerId, created: false },
        };
      const owner = await this.owner(form, tenantId, actionId);
      if (!owner)
        return { kind: 'retry', input, error: `team ${form.assignment.teamId} has no member who is not away` };
      const custom = Object.fromEntries(
        form.fields
          .filter((f) => f.mapsTo.startsWith('custom_fields.') && values[f.name])
          .map((f) => [f.mapsTo.slice(14), values[f.name]]),
      );
      try {
        const created = await c.call(tenantId, c.contacts.createContact.bind(c.contacts), {
          contact: ContactInput.fromPartial({
            firstName: mapped('first_name'),
            lastName: mapped('last_name'),
            emails: [{ address: email, primary: true, label: '' }],
            phones: mapped('phone') ? [{ number: mapped('phone'), primary: true, label: '' }] : [],
            title: mapped('title'),
            leadSource: mapped('lead_source') || 'web_form',
            lifecycleStage: 'lead',
            ownerId: owner.ownerId,
            teamId: owner.teamId,
            ...(Object.keys(custom).length ? { customFields: custom } : {}),
          }),
          allowDuplicates: false,
        });
        return {
          kind: 'done',
          input,
          output: { contactId: created.contact?.id, ownerId: owner.ownerId, created: true },
        };
      } catch (error) {
        const existing = error instanceof ServiceError && error.reason === 'DUPLICATE' ? error.metadata.existingId : '';
        if (!existing) throw error;
        const contact = await c.call(tenantId, c.contacts.getContact.bind(c.contacts), {
          id: existing,
          includeDeleted: false,
        });
        return {
          kind: 'done',
          input,
          output: { contactId: existing, ownerId: contact.contact?.ownerId, created: false },
        };
      }
    }
    const contactId = steps.contact?.output.contactId ?? '';
    if (type === 'log_activity') {
      const reference = `Reference: ${actionId}`;
      const timeline = await c.call(tenantId, c.activities.listContactTimeline.bind(c.activities), {
        contactId,
        page: { limit: 50, cursor: '' },
        types: ['note'],
      });
      const logged = timeline.activities.find((a) => a.body.includes(reference));
      if (logged) return { kind: 'done', output: { activityId: logged.id } };
      const body = [
        ...form.fields.filter((f) => values[f.name]).map((f) => `${f.label || f.name}: ${values[f.name]}`),
        '',
        form.consentText ? `Consent given to: ${form.consentText}` : '',
        `Submitted ${submission.submittedAt} from ${submission.clientIp || 'unknown address'}`,
        reference,
      ].join('\n');
      const activity = await c.call(tenantId, c.activities.logActivity.bind(c.activities), {
        activity: ActivityInput.fromPartial({ type: 'note', contactId, subject: `Web form: ${form.name}`, body }),
      });
      return { kind: 'done', input: { contactId }, output: { activityId: activity.activity?.id } };
    }
    // follow_up_task: one open follow-up per contact and form. Its ids are a chain derived from both, read by id
    // (which the store answers at once, unlike the read model): two submissions worked side by side collide on one
    // id instead of both finding no open task; a completed follow-up moves the next one along the chain.
    if (await this.tasks.openTaskExists(tenantId, contactId, form._id))
      return { kind: 'done', output: { skipped: 'an open follow-up exists' } };
    const ownerId = steps.contact?.output.ownerId ?? form.assignment.ownerId;
    if (!ownerId) return { kind: 'fail', error: 'the contact has no owner' };
    const title = String(
      render(form.followUpTitle.replace(/\{\{\s*([A-Za-z0-9_-]+)\s*\}\}/g, '{{values.$1}}'), { values }) ?? 'Follow up',
    );
    for (let n = 0; n < FOLLOW_UP_CHAIN; n++) {
      const id = deterministicId(form.createdAt, `${form._id}:${contactId}:follow-up:${n}`);
      const existing = await this.deps.stores.tasks.load(id);
      if (existing?.status === 'open' && !existing.deletedAt)
        return { kind: 'done', input: { contactId }, output: { skipped: 'an open follow-up exists', taskId: id } };
      if (existing) continue;
      try {
        await this.tasks.create(
          systemPrincipal(tenantId, 'workflow'),
          {
            title: title.slice(0, 500) || 'Follow up',
            dueAt: new Date(new Date(submission.submittedAt).getTime() + form.followUpDueMinutes * 60_000),
            priority: 'high',
            contactId,
          },
          { ownerId, teamId: form.assignment.teamId },
          { id, runId: run._id, ruleId: form._id },
        );
      } catch (error) {
        if (!(error instanceof ServiceError && error.code === 'ALREADY_EXISTS')) throw error;
        // Another submission's run made it just now: that one is the open follow-up.
        return { kind: 'done', input: { contactId }, output: { skipped: 'an open follow-up exists', taskId: id } };
      }
      return { kind: 'done', input: { contactId, ownerId }, output: { taskId: id } };
    }
    return { kind: 'fail', error: `more than ${FOLLOW_UP_CHAIN} follow-ups for this contact from this form` };
  }

  private async owner(
    form: FormDoc,
    tenantId: string,
    actionId: string,
  ): Promise<{ ownerId: string; teamId: string } | undefined> {
    if (form.assignment.strategy === 'fixed')
      return { ownerId: form.assignment.ownerId, teamId: form.assignment.teamId };
    const ownerId = await this.assignment.pick(tenantId, form.assignment.teamId, form.assignment.strategy, actionId);
    return ownerId ? { ownerId, teamId: form.assignment.teamId } : undefined;
  }
}
