/** What a platform backup covers and where it reads from; a restore writes the same names back. */
export interface BackupPlan {
  mongoUrl: string;
  /** One database per service (crm_<service>): every collection, the records and their `events` log alike. */
  mongoDatabases: string[];
  /** PostgreSQL server of the read models and reporting facts, without a database. */
  postgresUrl: string;
  postgresDatabases: string[];
  natsUrl: string;
  /** The NATS namespace whose streams (and KV buckets) are backed up; '' is every stream of the server. */
  natsNamespace: string;
}

export const PLATFORM_SERVICES = ['contact', 'pipeline', 'ticket', 'workflow', 'reporting'] as const;

export function databaseOf(service: string): string {
  return `crm_${service.replace(/-/g, '_')}`;
}

/** The plan of an install configured like the services are (MONGODB_URL, POSTGRES_URL, NATS_URL, NATS_NAMESPACE). */
export function planFromEnv(env: NodeJS.ProcessEnv, services: readonly string[] = PLATFORM_SERVICES): BackupPlan {
  const databases = services.map(databaseOf);
  return {
    mongoUrl: env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017',
    mongoDatabases: databases,
    postgresUrl: env.POSTGRES_URL ?? 'postgres://crm@127.0.0.1:5433',
    postgresDatabases: databases,
    natsUrl: env.NATS_URL ?? 'nats://127.0.0.1:4222',
    natsNamespace: env.NATS_NAMESPACE ?? '',
  };
}

/** Whether a stream belongs to the namespace: its own streams (NS_NAME) and its KV buckets (KV_ns_bucket). */
export function streamInNamespace(stream: string, namespace: string): boolean {
  if (!namespace) return true;
  const upper = stream.toUpperCase();
  const prefix = `${namespace.toUpperCase()}_`;
  return upper.startsWith(prefix) || upper.startsWith(`KV_${prefix}`);
}
