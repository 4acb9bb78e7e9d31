// Two projects: unit specs sit next to the code and need nothing running; integration specs live in test/
// and talk to the real NATS, MongoDB-wire server and Keycloak that testkit's global setup makes sure are up.
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
  ],
};
const moduleNameMapper = {
  '^@crm/service-kit/otel$': '<rootDir>/packages/service-kit/src/telemetry/register',
  '^@crm/([a-z-]+)$': '<rootDir>/packages/$1/src',
  '^@crm/([a-z-]+)/(.*)$': '<rootDir>/packages/$1/src/$2',
};
const common = {
  rootDir: __dirname,
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  // Integration tests wait on real servers (redelivery after ack-wait, Keycloak); unit tests finish far sooner.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,services,gateway}/**/src/**/*.spec.ts', '<rootDir>/gateway/src/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{packages,services}/*/test/**/*.int.spec.ts', '<rootDir>/gateway/test/**/*.int.spec.ts'],
      globalSetup: '<rootDir>/packages/testkit/src/global-setup.ts',
    },
    {
      // The web app end to end: Debian's Chromium (playwright-core) against the real stack and Keycloak sign-in.
      // Needs the built app (pnpm --filter @crm/web build); npm test builds it and installs Chromium first.
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/web/e2e/**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/packages/testkit/src/global-setup.ts',
    },
  ],
};
