import path from 'node:path';
import express, { Router } from 'express';

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
  router.use('/docs', express.static(swaggerUiDir(), { index: false, immutable: true, maxAge: '1d' }));
  return router;
}

/** The package's folder, found without requiring its index (which loads the 1.5 MB browser bundle into the heap). */
function swaggerUiDir(): string {
  return path.dirname(require.resolve('swagger-ui-dist/package.json'));
}
