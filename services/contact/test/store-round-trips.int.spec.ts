import type { mongo } from 'mongoose';
import { ContactHarness, contactInput, type Api } from './support/contact-harness';

/** The commands the service sends MongoDB for one call, recognised by the contact id they name. */
async function commandsFor(h: ContactHarness, id: string, call: () => Promise<unknown>): Promise<string[]> {
  const client = h.service.deps.mongo.getClient();
  const seen: string[] = [];
  const listener = (event: mongo.CommandStartedEvent) => {
    if (JSON.stringify(event.command).includes(id))
      seen.push(`${event.commandName} ${event.command[event.commandName]}`);
  };
  client.on('commandStarted', listener);
  try {
    await call();
    // The mark after publishing is not awaited by the call; it is one of its round trips all the same.
    await h.service.store.contacts.drain();
  } finally {
    client.off('commandStarted', listener);
  }
  return seen;
}

describe('store round trips of a contact write on the real servers', () => {
  const h = new ContactHarness();
  let rep1: Api;

  beforeAll(async () => {
    // No import worker polling during the measurement.
    await h.start({ CONTACT_IMPORT_POLL_MS: '600000' });
    rep1 = await h.as('acme-rep1');
  });

  afterAll(() => h.stop());

  it('a title-only update is at most four: read, event insert (the compare-and-set), snapshot, mark', async () => {
    const { contact } = await rep1.contacts.createContact({
      contact: contactInput({ firstName: 'Counted', title: 'before' }),
      allowDuplicates: false,
    });
    await h.service.store.contacts.drain();
    const commands = await commandsFor(h, contact!.id, () =>
      rep1.contacts.updateContact({
        id: contact!.id,
        expectedVersion: 1,
        contact: contactInput({ title: 'after' }),
        updateMask: ['title'],
        allowDuplicates: false,
      }),
    );
    expect(commands).toEqual(['find contacts', 'insert events', 'update contacts', 'update events']);
    expect((await rep1.contacts.getContact({ id: contact!.id, includeDeleted: false })).contact?.title).toBe('after');
  });
});
