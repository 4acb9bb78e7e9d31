import { z } from 'zod';
import { ConfigError, parseConfig } from './load-config';
import { serviceEnvSchema } from './service-env';

const validEnv = {
  SERVICE_NAME: 'contact',
  GRPC_PORT: '50051',
  ADMIN_PORT: '9101',
  MONGODB_URL: 'mongodb://127.0.0.1:27017',
  NATS_URL: 'nats://127.0.0.1:4222',
  OIDC_ISSUER: 'http://127.0.0.1:8180/realms/crm',
  OIDC_CLIENT_ID: 'contact-service',
  OIDC_CLIENT_SECRET: 'contact-service-secret',
};

describe('parseConfig', () => {
  it('coerces and defaults a valid environment', () => {
    const config = parseConfig(serviceEnvSchema, validEnv);
    expect(config.GRPC_PORT).toBe(50051);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.OIDC_AUDIENCE).toBe('crm-api');
    expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });

  it('listens on loopback unless the bind addresses are set (0.0.0.0 in a container)', () => {
    const local = parseConfig(serviceEnvSchema, validEnv);
    expect([local.GRPC_HOST, local.ADMIN_HOST]).toEqual(['127.0.0.1', '127.0.0.1']);
    const pod = parseConfig(serviceEnvSchema, { ...validEnv, GRPC_HOST: '0.0.0.0', ADMIN_HOST: '0.0.0.0' });
    expect([pod.GRPC_HOST, pod.ADMIN_HOST]).toEqual(['0.0.0.0', '0.0.0.0']);
    expect(() => parseConfig(serviceEnvSchema, { ...validEnv, GRPC_HOST: '' })).toThrow(/GRPC_HOST/);
  });

  it('creates single-replica streams unless told the cluster has more servers', () => {
    expect(parseConfig(serviceEnvSchema, validEnv).NATS_STREAM_REPLICAS).toBe(1);
    expect(parseConfig(serviceEnvSchema, { ...validEnv, NATS_STREAM_REPLICAS: '3' }).NATS_STREAM_REPLICAS).toBe(3);
    expect(() => parseConfig(serviceEnvSchema, { ...validEnv, NATS_STREAM_REPLICAS: '0' })).toThrow(
      /NATS_STREAM_REPLICAS/,
    );
  });

  it('reports one line per bad or missing variable', () => {
    const env = { ...validEnv, GRPC_PORT: 'abc', NATS_URL: 'http://x' } as Record<string, string>;
    delete env.MONGODB_URL;
    try {
      parseConfig(serviceEnvSchema, env);
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(3);
      expect(problems).toContain('MONGODB_URL: required');
      expect(problems.find((p) => p.startsWith('GRPC_PORT:'))).toBeDefined();
      expect(problems.find((p) => p.startsWith('NATS_URL:'))).toMatch(/nats:\/\//);
    }
  });

  it('lets a service extend the shared schema', () => {
    const schema = serviceEnvSchema.extend({ CONTACT_DEFAULT_REGION: z.string().length(2) });
    expect(() => parseConfig(schema, { ...validEnv, CONTACT_DEFAULT_REGION: 'USA' })).toThrow(/CONTACT_DEFAULT_REGION/);
  });
});
