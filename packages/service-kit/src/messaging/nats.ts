import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';

export interface Bus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Prefix of stream names and subjects, so tests and previews can share one server. Empty in production. */
  namespace: string;
  /** Replicas of the streams this process creates: 1 on one server, 3 on a three-server cluster. */
  streamReplicas?: number;
}

export async function connectBus(options: {
  url: string;
  name: string;
  namespace?: string;
  streamReplicas?: number;
}): Promise<Bus> {
  const nc = await connect({
    servers: options.url,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
  return {
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    namespace: options.namespace ?? '',
    streamReplicas: options.streamReplicas,
  };
}

export function streamName(bus: Pick<Bus, 'namespace'>, name: string): string {
  return bus.namespace ? `${bus.namespace.toUpperCase()}_${name}` : name;
}

export function subjectOf(bus: Pick<Bus, 'namespace'>, subject: string): string {
  return bus.namespace ? `${bus.namespace}.${subject}` : subject;
}

/** Stops taking messages but lets in-flight handlers finish and their acks reach the server. */
export async function drainBus(bus: Bus): Promise<void> {
  if (!bus.nc.isClosed()) await bus.nc.drain();
}
