// Progress goes to stderr so that stdout stays clean for `status` output and
// so that a test global-setup importing this module still shows what it is
// doing while the first provisioning takes minutes.

export function progress(component, message) {
  process.stderr.write(`[infra] ${component}: ${message}\n`);
}

export function note(message) {
  process.stderr.write(`[infra] ${message}\n`);
}

/**
 * A prerequisite is missing or a step failed in a way the user must fix.
 * The CLI prints only the message (no stack) and exits non-zero.
 */
export class InfraError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InfraError';
  }
}

/** `pnpm infra status | head` closes stdout early; that is not an error. */
export function ignoreEpipe() {
  process.stdout.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}
