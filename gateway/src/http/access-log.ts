import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

const PROBES = new Set(['/livez', '/readyz']);

/**
 * One line per request when it finishes: id, method, path (without the query, which can hold names or emails),
 * status, duration, and tenant/client of the caller. No headers, so no token and no personal data. Written with the
 * process logger directly (no child logger or serializers per request), and not at all when info is off.
 */
export function accessLog(log: Logger): RequestHandler {
  if (!log.isLevelEnabled('info') && !log.isLevelEnabled('warn')) return (_req, _res, next) => next();
  return (req, res, next) => {
    if (PROBES.has(req.path)) return next();
    const started = performance.now();
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : 499;
      const level = status >= 500 ? 'warn' : 'info';
      if (!log.isLevelEnabled(level)) return;
      const principal = req.principal;
      log[level](
        {
          req: { id: req.id, method: req.method, path: req.originalUrl.split('?')[0] },
          res: { statusCode: status },
          responseTime: Math.round(performance.now() - started),
          ...(principal ? { tenantId: principal.tenantId, clientId: principal.clientId } : {}),
        },
        status === 499 ? 'request aborted' : 'request completed',
      );
    });
    next();
  };
}
