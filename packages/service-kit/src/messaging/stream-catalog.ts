import { streamName, subjectOf, type Bus } from './nats';
import type { StreamSpec } from './streams';

/**
 * Every service's own stream, defined once. The owner creates and updates its stream (runService `streams`);
 * a consumer of another service's stream only makes sure it exists (ensurePeerStream), since start order is not
 * guaranteed.
 */
export const STREAMS = {
  CONTACT: { name: 'CONTACT', subjects: ['crm.contact.>', 'crm.company.>', 'crm.activity.>'] },
  PIPELINE: { name: 'PIPELINE', subjects: ['crm.deal.>', 'crm.pipeline.>'] },
  TICKET: {
    name: 'TICKET',
    subjects: [
      'crm.ticket.>',
      'crm.sla_policy.>',
      'crm.business_calendar.>',
      'crm.macro.>',
      'crm.ticket_agent.>',
      'crm.ticket_group.>',
      'crm.ticket_settings.>',
    ],
  },
  WORKFLOW: { name: 'WORKFLOW', subjects: ['crm.workflow.>', 'crm.task.>'] },
} satisfies Record<string, StreamSpec>;

/** Creates a peer's stream with its owner's definition when missing; never changes an existing one. */
export async function ensurePeerStream(bus: Bus, spec: StreamSpec): Promise<void> {
  const name = streamName(bus, spec.name);
  try {
    await bus.jsm.streams.info(name);
  } catch {
    try {
      await bus.jsm.streams.add({ name, subjects: spec.subjects.map((s) => subjectOf(bus, s)), allow_direct: true });
    } catch (error) {
      // Created by its owner in the meantime.
      await bus.jsm.streams.info(name).catch(() => {
        throw error;
      });
    }
  }
}
