import { createAdminServer, createMetricsRegistry } from './admin-server';

describe('admin server', () => {
  const admin = createAdminServer(createMetricsRegistry('probe'));
  let base = '';
  let natsUp = true;

  beforeAll(async () => {
    admin.addReadinessCheck('nats', async () => {
      if (!natsUp) throw new Error('down');
    });
    base = `http://127.0.0.1:${await admin.listen(0)}`;
  });

  afterAll(() => admin.close());

  const readyz = async () => {
    const response = await fetch(`${base}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('is live at once but not ready until the process says it serves', async () => {
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    expect(await readyz()).toEqual({ status: 503, body: { status: 'starting' } });
    admin.markReady();
    expect(await readyz()).toEqual({ status: 200, body: { status: 'checked', checks: { nats: 'ok' } } });
  });

  it('fails readiness while a dependency check fails', async () => {
    natsUp = false;
    expect(await readyz()).toEqual({ status: 503, body: { status: 'checked', checks: { nats: 'failing' } } });
    natsUp = true;
  });

  it('serves Prometheus metrics with the service label', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/process_cpu_seconds_total\{service="probe"\}/);
  });

  it('stays not ready once shutting down', async () => {
    admin.markNotReady();
    admin.markReady();
    expect(await readyz()).toEqual({ status: 503, body: { status: 'shutting down' } });
  });
});
