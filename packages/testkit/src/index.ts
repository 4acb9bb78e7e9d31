export * from './infra-env';
export * from './isolation';
export * from './tokens';
export * from './wait';
export * from './grpc-client';
export * from './projection-lag';
