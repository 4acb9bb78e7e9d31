/** Where the test infrastructure listens; `pnpm infra up` starts it on these loopback defaults. */
export interface InfraEnv {
  natsUrl: string;
  mongoUrl: string;
  /** PostgreSQL server of the read models (no database). */
  postgresUrl: string;
  keycloakUrl: string;
  issuer: string;
}

export function infraEnv(env: NodeJS.ProcessEnv = process.env): InfraEnv {
  const keycloakUrl = (env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180').replace(/\/$/, '');
  return {
    natsUrl: env.NATS_URL ?? 'nats://127.0.0.1:4222',
    mongoUrl: env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017',
    postgresUrl: env.POSTGRES_URL ?? 'postgres://crm@127.0.0.1:5433',
    keycloakUrl,
    issuer: `${keycloakUrl}/realms/crm`,
  };
}
