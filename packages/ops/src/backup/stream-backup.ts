import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  DeliverPolicy,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';

/** One stream's snapshot: its configuration, its consumers with their positions, and every message. */
export interface StreamSnapshot {
  config: StreamConfig;
  firstSeq: number;
  lastSeq: number;
  messages: number;
  consumers: { config: ConsumerConfig; ackFloor: number }[];
}

interface StoredMessage {
  seq: number;
  subject: string;
  /** When the server stored it (ISO); a restored message gets the restore time, so this keeps the original. */
  time: string;
  headers: [string, string[]][];
  data: string;
}

/**
 * Snapshots a stream message by message (an ordered consumer from the first sequence to the last one at the
 * start of the backup) into `<dir>/<stream>.jsonl`, with its config and its durable consumers' ack floors.
 * Portable: it needs nothing but a client, and restores into any JetStream (another cluster, other replicas).
 */
export async function backupStream(
  jsm: JetStreamManager,
  js: JetStreamClient,
  stream: string,
  dir: string,
): Promise<StreamSnapshot> {
  const info = await jsm.streams.info(stream);
  const { first_seq: firstSeq, last_seq: lastSeq, messages } = info.state;
  const consumers: StreamSnapshot['consumers'] = [];
  for await (const consumer of jsm.consumers.list(stream)) {
    if (consumer.config.durable_name)
      consumers.push({ config: consumer.config, ackFloor: consumer.ack_floor.stream_seq });
  }
  const out = createWriteStream(join(dir, `${stream}.jsonl`));
  let written = 0;
  if (messages > 0) {
    const reader = await js.consumers.get(stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: firstSeq,
    });
    const iterator = await reader.consume({ max_messages: 256 });
    for await (const m of iterator) {
      const line: StoredMessage = {
        seq: m.seq,
        subject: m.subject,
        time: new Date(Math.floor(Number(m.info.timestampNanos) / 1e6)).toISOString(),
        headers: m.headers ? [...m.headers].map(([k, v]) => [k, [...v]]) : [],
        data: Buffer.from(m.data).toString('base64'),
      };
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
      written += 1;
      if (m.seq >= lastSeq) break;
    }
    await iterator.close();
  }
  out.end();
  await once(out, 'finish');
  const snapshot: StreamSnapshot = { config: info.config, firstSeq, lastSeq, messages: written, consumers };
  await writeFile(join(dir, `${stream}.json`), JSON.stringify(snapshot, null, 2));
  return snapshot;
}

/**
 * Recreates a stream from its snapshot: the same config (starting at the same first sequence), every message
 * republished in order with its headers (less publish preconditions), then the durable consumers with their own
 * config, positioned at their ack floors. A stream without gaps keeps its sequence numbers; otherwise the floors
 * are mapped onto the new numbers.
 */
export async function restoreStream(
  jsm: JetStreamManager,
  js: JetStreamClient,
  stream: string,
  dir: string,
  replace: boolean,
): Promise<number> {
  const snapshot = JSON.parse(await readFile(join(dir, `${stream}.json`), 'utf8')) as StreamSnapshot;
  const exists = await jsm.streams.info(stream).then(
    () => true,
    () => false,
  );
  if (exists && !replace) throw new Error(`stream ${stream} exists: restore into a wiped server (or pass --replace)`);
  if (exists) await jsm.streams.delete(stream);
  await jsm.streams.add({ ...snapshot.config, first_seq: snapshot.firstSeq });

  const newSeqOf = new Map<number, number>();
  const seenIds = new Set<string>();
  const lines = createInterface({ input: createReadStream(join(dir, `${stream}.jsonl`)), crlfDelay: Infinity });
  let restored = 0;
  for await (const raw of lines) {
    if (!raw) continue;
    const message = JSON.parse(raw) as StoredMessage;
    const h = natsHeaders();
    for (const [key, values] of message.headers) {
      // Publish preconditions (a KV update's expected revision) were checked when the message was first stored.
      if (key.startsWith('Nats-Expected-')) continue;
      // A message id seen twice (published again after the duplicate window) would be dropped as a duplicate.
      if (key === 'Nats-Msg-Id' && values.some((v) => seenIds.has(v))) continue;
      for (const value of values) h.append(key, value);
      if (key === 'Nats-Msg-Id') values.forEach((v) => seenIds.add(v));
    }
    const ack = await js.publish(message.subject, Buffer.from(message.data, 'base64'), { headers: h });
    newSeqOf.set(message.seq, ack.seq);
    restored += 1;
  }

  for (const { config, ackFloor } of snapshot.consumers) {
    // The consumer's own config, as the service declares it (so that the service finds it unchanged), then its
    // position: what it had acknowledged is acknowledged again, without being handed to anyone.
    await jsm.consumers.add(stream, config);
    if (ackFloor > 0 && config.durable_name)
      await acknowledgeUpTo(js, stream, config.durable_name, mappedFloor(newSeqOf, ackFloor));
  }
  return restored;
}

async function acknowledgeUpTo(js: JetStreamClient, stream: string, durable: string, floor: number): Promise<void> {
  const consumer = await js.consumers.get(stream, durable);
  let acked = 0;
  for (;;) {
    const info = await consumer.info();
    if (info.ack_floor.stream_seq >= floor || info.num_pending === 0) return;
    const batch = await consumer.fetch({ max_messages: Math.max(1, Math.min(256, floor - acked)), expires: 2000 });
    for await (const m of batch) {
      if (m.seq <= floor) {
        await m.ackAck();
        acked = m.seq;
      } else m.nak();
    }
  }
}

function mappedFloor(newSeqOf: Map<number, number>, floor: number): number {
  let best = 0;
  for (const [old, seq] of newSeqOf) if (old <= floor && seq > best) best = seq;
  return best || floor;
}
