import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

/**
 * Serves a built single-page app: hashed assets cached forever, index.html never cached (so a new release is picked
 * up at once), and unknown paths under the mount answer with index.html for client-side routing.
 */
export function spa(dir: string, label: string): Router {
  const router = express.Router();
  const index = path.join(dir, 'index.html');
  router.use(
    express.static(dir, {
      index: false,
      setHeaders(res, file) {
        const name = path.basename(file);
        if (name === 'index.html' || name === 'sw.js' || name.endsWith('.webmanifest')) {
          res.setHeader('Cache-Control', 'no-cache');
        } else if (file.includes(`${path.sep}assets${path.sep}`)) {
          res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        }
      },
    }),
  );
  router.get('/{*splat}', (req, res, next) => {
    // Only navigations get the app shell; a missing script or image stays a 404.
    if (path.extname(req.path) !== '' || !req.accepts('html')) return next();
    if (!fs.existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send(`The ${label} app is not built yet. Run "npm run build" (npm start does this for you).\n`);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
