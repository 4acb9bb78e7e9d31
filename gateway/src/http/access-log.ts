import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/**
 * One line per request: id, method, path (without the query, which can hold names or emails), status, duration,
 * and tenant/client of the caller. No headers, so no token and no personal data.
 */
export function accessLog(log: Logger) {
  return pinoHttp({
    logger: log,
    genReqId: (req) => req.id ?? '',
    quietReqLogger: true,
    autoLogging: { ignore: (req) => /^\/(livez|readyz)$/.test(req.url ?? '') },
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        path: (req.url ?? '').split('?')[0],
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      // pino-http invents an error for a 5xx; its stack says nothing (the error handler logs real failures).
      err: (err: { message?: string }) => ({ message: err.message }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'warn' : 'info'),
    customProps: (req: IncomingMessage) => {
      const principal = (req as Request).principal;
      return principal ? { tenantId: principal.tenantId, clientId: principal.clientId } : {};
    },
  });
}
