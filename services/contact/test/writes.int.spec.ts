import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { EventSweeper } from '@crm/service-kit';
import { recordStores } from '../src/store/contact-store';
import { ContactHarness, contactInput, email, failure, type Api } from './support/contact-harness';

/** Runs the crash fixture: a second contact instance on the same stores, killed inside its UpdateContact. */
function runUpdateThenDie(env: Record<string, string>): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'fixtures/update-then-die.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve({ signal, stderr })));
}

describe('contact writes on the real servers: concurrency and a crash inside a write', () => {
  const h = new ContactHarness();
  let rep1: Api;

  beforeAll(async () => {
    await h.start();
    rep1 = await h.as('acme-rep1');
  });

  afterAll(() => h.stop());

  const row = async (id: string) => {
    const { rows } = await sql<{ version: number; title: string }>`
      select version, title from contacts where id = ${id}
    `.execute(h.service.deps.readModel!.db);
    return rows[0];
  };
  const streamVersions = async (type: string, id: string) =>
    (await h.events(type)).filter((e) => e.aggregateId === id).map((e) => e.aggregateVersion);

  it('creates 50 contacts concurrently without any failing, each once in the store, the read model and the stream', async () => {
    const settled = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        rep1.contacts.createContact({
          contact: contactInput({ firstName: `Concurrent${i}`, emails: [email(`concurrent${i}@example.com`)] }),
          allowDuplicates: false,
        }),
      ),
    );
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    const ids = settled.map((s) => (s.status === 'fulfilled' ? s.value.contact!.id : ''));
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(await row(id)).toMatchObject({ version: 1 });
    const created = (await h.events('contact.created')).filter((e) => ids.includes(e.aggregateId));
    expect(created.map((e) => e.aggregateId).sort()).toEqual([...ids].sort());
  });

  it('finishes an update whose process was killed after its event and before its snapshot, exactly once', async () => {
    const { contact } = await rep1.contacts.createContact({
      contact: contactInput({ firstName: 'Crashed', title: 'before the crash' }),
      allowDuplicates: false,
    });
    const id = contact!.id;
    await h.service.store.contacts.drain();

    const { signal, stderr } = await runUpdateThenDie({
      CONTACT_CONFIG: JSON.stringify(h.env),
      TOKEN: rep1.token,
      CONTACT_ID: id,
      EXPECTED_VERSION: '1',
      TITLE: 'renamed by the process that died',
    });
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');

    // Killed between the steps: the event log has version 2 unpublished, nothing else has it.
    expect((await h.service.deps.events.get(`${id}:2`))?.published).toBe(false);
    expect((await h.service.store.contacts.load(id))?.version).toBe(1);
    expect(await row(id)).toMatchObject({ version: 1, title: 'before the crash' });
    expect(await streamVersions('contact.updated', id)).toEqual([]);
    // A writer that read version 1 loses: the version really moved, in the log.
    const stale = await failure(
      rep1.contacts.updateContact({
        id,
        expectedVersion: 1,
        contact: contactInput({ title: 'stale writer' }),
        updateMask: ['title'],
        allowDuplicates: false,
      }),
    );
    expect(stale.code).toBe('FAILED_PRECONDITION');

    // The surviving instance's sweeper (run here without waiting for its period) finishes the write.
    const sweeper = new EventSweeper(h.service.deps.events, recordStores(h.service.store), pino({ level: 'silent' }), {
      minAgeMs: 0,
    });
    await sweeper.sweepOnce({ minAgeMs: 0 });
    await h.service.store.contacts.drain();
    expect(await h.service.store.contacts.load(id)).toMatchObject({
      version: 2,
      title: 'renamed by the process that died',
    });
    expect(await row(id)).toMatchObject({ version: 2, title: 'renamed by the process that died' });
    expect(await streamVersions('contact.updated', id)).toEqual([2]);
    expect((await h.service.deps.events.get(`${id}:2`))?.published).toBe(true);
    const { contact: read } = await rep1.contacts.getContact({ id, includeDeleted: false });
    expect(read).toMatchObject({ version: 2, title: 'renamed by the process that died' });

    // Sweeping again changes nothing and publishes nothing twice; the history has the version once.
    await sweeper.sweepOnce({ minAgeMs: 0 });
    expect(await streamVersions('contact.updated', id)).toEqual([2]);
    const { entries } = await rep1.contacts.getContactHistory({ id });
    expect(entries.map((e) => e.version)).toEqual([2, 1]);
  });
});
