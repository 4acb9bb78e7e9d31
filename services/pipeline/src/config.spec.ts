import { parseConfig } from '@crm/service-kit';
import { pipelineEnvSchema } from './config';

const env = {
  SERVICE_NAME: 'pipeline',
  GRPC_PORT: '50052',
  ADMIN_PORT: '9102',
  MONGODB_URL: 'mongodb://127.0.0.1:27017',
  NATS_URL: 'nats://127.0.0.1:4222',
  OIDC_ISSUER: 'http://127.0.0.1:8180/realms/crm',
  OIDC_CLIENT_ID: 'pipeline-service',
  OIDC_CLIENT_SECRET: 'pipeline-service-secret',
  CONTACT_GRPC_URL: '127.0.0.1:50051',
};

describe('pipeline config', () => {
  it('takes the contact service address as host:port', () => {
    expect(parseConfig(pipelineEnvSchema, env).CONTACT_GRPC_URL).toBe('127.0.0.1:50051');
    expect(parseConfig(pipelineEnvSchema, { ...env, CONTACT_GRPC_URL: 'contact.crm.svc:50051' }).CONTACT_GRPC_URL).toBe(
      'contact.crm.svc:50051',
    );
  });

  it('bounds stage writes by a window that the archive settle time must exceed', () => {
    const parsed = parseConfig(pipelineEnvSchema, env);
    expect([parsed.PIPELINE_STAGE_WRITE_WINDOW_MS, parsed.PIPELINE_ARCHIVE_SETTLE_MS]).toEqual([2_000, 5_000]);
    expect(() =>
      parseConfig(pipelineEnvSchema, {
        ...env,
        PIPELINE_STAGE_WRITE_WINDOW_MS: '3000',
        PIPELINE_ARCHIVE_SETTLE_MS: '3000',
      }),
    ).toThrow(/PIPELINE_ARCHIVE_SETTLE_MS: must be longer than PIPELINE_STAGE_WRITE_WINDOW_MS/);
  });

  it('names the variable when it is missing or not host:port', () => {
    const { CONTACT_GRPC_URL: _omitted, ...without } = env;
    expect(() => parseConfig(pipelineEnvSchema, without)).toThrow(/CONTACT_GRPC_URL: required/);
    expect(() => parseConfig(pipelineEnvSchema, { ...env, CONTACT_GRPC_URL: 'http://contact:50051' })).toThrow(
      /CONTACT_GRPC_URL: must be host:port/,
    );
  });
});
