// CORS for the public form endpoint: a form is embedded in the tenant's own sites, so the origins it admits are
// the form's allowed origins (asked of the workflow service, cached briefly), not the gateway's CORS_ORIGINS.
import type { RequestHandler } from 'express';
import type { ServiceClients } from '../grpc/service-clients';
import { callUnary } from '../grpc/unary-call';
import { asGateway } from './route-helpers';

const CACHE_MS = 30_000;
const CACHE_MAX = 1_000;
const DEADLINE_MS = 2_000;

export function publicFormCors(clients: ServiceClients): RequestHandler {
  const cache = new Map<string, { origins: string[]; until: number }>();
  const allowedOrigins = async (formId: string): Promise<string[]> => {
    const hit = cache.get(formId);
    if (hit && hit.until > Date.now()) return hit.origins;
    const downstream = {
      token: '',
      deadline: new Date(Date.now() + DEADLINE_MS),
      signal: new AbortController().signal,
    };
    const origins = await callUnary(
      await asGateway(clients, downstream),
      clients.forms.describePublicForm.bind(clients.forms),
      { formId },
    ).then(
      (r) => r.allowedOrigins,
      () => [],
    );
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(formId, { origins, until: Date.now() + CACHE_MS });
    return origins;
  };
  return async (req, res, next) => {
    const origin = req.get('origin');
    const formId = String(req.params.formId ?? '');
    if (!origin || !formId) return next();
    res.vary('Origin');
    const allowed = (await allowedOrigins(formId).catch((): string[] => [])).includes(origin);
    if (allowed) res.setHeader('access-control-allow-origin', origin);
    if (req.method !== 'OPTIONS') return next();
    if (allowed) {
      res.setHeader('access-control-allow-methods', 'POST');
      res.setHeader('access-control-allow-headers', 'Content-Type, X-Crm-Signature');
      res.setHeader('access-control-max-age', '600');
    }
    res.status(204).end();
  };
}
