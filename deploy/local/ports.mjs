// The one table of local ports. Everything that runs on this machine (infra
// runner, stack runner, testkit, docs) reads it from here so nothing drifts.

export const HOST = '127.0.0.1';

export const INFRA_PORTS = Object.freeze({
  nats: 4222,
  natsMonitor: 8222,
  mongo: 27017,
  // FerretDB's backend; off PostgreSQL's default 5432 so a system cluster can stay.
  postgres: 5433,
  keycloak: 8180,
  // Keycloak's default management port 9000 is a popular one; keep ours out of its way.
  keycloakManagement: 9180,
});

/** http is set for the gateway only; services have grpc. */
export const APP_PORTS = Object.freeze({
  gateway: Object.freeze({ http: 8080, admin: 9100 }),
  contact: Object.freeze({ grpc: 50051, admin: 9101 }),
  pipeline: Object.freeze({ grpc: 50052, admin: 9102 }),
  ticket: Object.freeze({ grpc: 50053, admin: 9103 }),
  workflow: Object.freeze({ grpc: 50054, admin: 9104 }),
  reporting: Object.freeze({ grpc: 50055, admin: 9105 }),
});

export const SERVICE_NAMES = Object.freeze(['contact', 'pipeline', 'ticket', 'workflow', 'reporting']);

/** `CONTACT_GRPC_URL`, `PIPELINE_GRPC_URL`, ... */
export function grpcUrlEnvName(service) {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_GRPC_URL`;
}
