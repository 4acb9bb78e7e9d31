// One durable consumer per stream whose events may trigger rules. Events of one record are handled in stream
// order (a lock per aggregate), others side by side. A handler error is retried by redelivery and, after max
// deliveries, dead-lettered (crm.deadletter.<durable>): a poison event never holds up the rest.
import { STREAMS, type ConsumerSpec, type HandledEvents } from '@crm/service-kit';
import type { RuleEngine } from '../app/rule-engine';
import { triggerEventOf } from './trigger-event';

export const TRIGGER_STREAMS = [
  // Every CONTACT subject, as its owner defines the stream; of the others, the record events only.
  { stream: 'CONTACT', subjects: STREAMS.CONTACT.subjects },
  { stream: 'PIPELINE', subjects: ['crm.deal.>'] },
  { stream: 'TICKET', subjects: ['crm.ticket.>'] },
  { stream: 'WORKFLOW', subjects: ['crm.task.>', 'crm.workflow.form_submitted'] },
] as const;

class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run(key: string, work: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(work, work);
    const tail = current.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

export function triggerConsumers(
  engine: RuleEngine,
  options: { concurrency?: number; maxDeliver?: number; handled?: HandledEvents } = {},
): ConsumerSpec[] {
  return TRIGGER_STREAMS.map(({ stream, subjects }) => {
    const lock = new KeyedLock();
    const durable = `workflow-triggers-${stream.toLowerCase()}`;
    const { handled } = options;
    // The engine asks for the handled-event record only for events a rule or endpoint concerns (most concern none).
    const guard = handled && {
      has: (eventId: string) => handled.has(durable, eventId),
      add: (eventId: string) => handled.add(durable, eventId),
    };
    return {
      stream,
      durable,
      filterSubjects: [...subjects],
      concurrency: options.concurrency ?? 16,
      maxDeliver: options.maxDeliver ?? 5,
      handled: undefined,
      handler: (envelope) => lock.run(envelope.aggregateId, () => engine.handleEvent(triggerEventOf(envelope), guard)),
    };
  });
}
