import { z } from 'zod';
import { idSchema, listOf, nullableTimestamp, pageQuery, timestamp } from './common.schema';

export const activityTypes = ['note', 'call', 'email', 'meeting'] as const;
const direction = z.enum(['inbound', 'outbound']);

const call = z.strictObject({
  direction,
  durationSeconds: z.number().int().min(0).max(86_400).optional(),
  outcome: z.string().max(40).optional(),
});
const email = z.strictObject({
  direction,
  from: z.string().max(320).optional(),
  to: z.array(z.string().max(320)).max(100).optional(),
  cc: z.array(z.string().max(320)).max(100).optional(),
});
const meeting = z.strictObject({
  startAt: timestamp.optional(),
  endAt: timestamp.optional(),
  attendees: z.array(z.string().max(320)).max(200).optional(),
  location: z.string().max(500).optional(),
});

/** The contact comes from the path; the details object matching the type may be given. */
export const activityCreateSchema = z
  .strictObject({
    type: z.enum(activityTypes),
    subject: z.string().max(500).optional(),
    body: z.string().max(100_000).optional(),
    occurredAt: timestamp.optional().meta({ description: 'When it happened; defaults to now.' }),
    companyId: idSchema.optional(),
    dealId: idSchema.optional(),
    ticketId: idSchema.optional(),
    call: call.optional(),
    email: email.optional(),
    meeting: meeting.optional(),
  })
  .meta({ id: 'ActivityCreate' });

export const activitySchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    type: z.string(),
    contactId: z.string(),
    companyId: z.string(),
    dealId: z.string(),
    ticketId: z.string(),
    subject: z.string(),
    body: z.string(),
    occurredAt: nullableTimestamp,
    call: z.object({ direction: z.string(), durationSeconds: z.number().int(), outcome: z.string() }).nullable(),
    email: z
      .object({ direction: z.string(), from: z.string(), to: z.array(z.string()), cc: z.array(z.string()) })
      .nullable(),
    meeting: z
      .object({
        startAt: nullableTimestamp,
        endAt: nullableTimestamp,
        attendees: z.array(z.string()),
        location: z.string(),
      })
      .nullable(),
    ownerId: z.string(),
    teamId: z.string(),
    version: z.number().int(),
    createdAt: nullableTimestamp,
    updatedAt: nullableTimestamp,
    deletedAt: nullableTimestamp,
  })
  .meta({ id: 'Activity' });

export const activityListSchema = listOf(activitySchema, 'ActivityList');

export const timelineQuery = z.strictObject({
  type: z
    .string()
    .regex(/^(note|call|email|meeting)(,(note|call|email|meeting))*$/)
    .optional()
    .meta({ description: 'Comma-separated activity types to include; all by default.' }),
  ...pageQuery,
});
