// What a process without a record store needs (the gateway): the kit without the MongoDB and PostgreSQL modules,
// whose drivers cost about 40 MB of resident memory to load. Services import the whole kit from the package root.
export * from './errors/service-error';
export * from './config/load-config';
export * from './config/service-env';
export * from './logger/logger';
export * from './telemetry/telemetry';
export * from './telemetry/propagation';
export * from './auth/principal';
export * from './auth/token-verifier';
export * from './auth/client-credentials';
export * from './grpc/call-context';
export * from './grpc/status';
export * from './grpc/interceptors';
export * from './grpc/client';
export * from './grpc/request-key';
export * from './messaging/nats';
export * from './messaging/streams';
export * from './messaging/stream-catalog';
export * from './admin/admin-server';
export * from './lifecycle/shutdown';
export * from './custom-fields';
export * from './access/scope';
export * from './access/ownership';
export * from './runtime/process-base';
