import express, { Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>CRM API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/docs-init.js"></script>
</body>
</html>
`;

// External, not inline, so the page runs under helmet's default Content-Security-Policy (script-src 'self').
const INIT = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: false });\n`;

/** Browsable docs at /docs: Swagger UI from the swagger-ui-dist package, served locally (no CDN). */
export function docsRouter(): Router {
  const router = Router();
  const page = (_req: express.Request, res: express.Response) => void res.type('html').send(PAGE);
  router.get('/docs', page);
  router.get('/docs/', page);
  router.get('/docs/docs-init.js', (_req, res) => void res.type('js').send(INIT));
  router.use('/docs', express.static(getAbsoluteFSPath(), { index: false, immutable: true, maxAge: '1d' }));
  return router;
}
