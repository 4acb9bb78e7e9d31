import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Jest global setup for integration tests: makes sure NATS, the MongoDB-wire server and Keycloak are up,
 * provisioning and starting them on first use. Progress goes to stderr because the first run builds and
 * downloads for several minutes.
 */
export default function globalSetup(): void {
  const repoRoot = path.resolve(__dirname, '../../..');
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'deploy/local/infra.mjs'), 'up'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  if (result.status !== 0)
    throw new Error(`test infrastructure did not come up (infra up exited ${result.status}); see the messages above`);
}
