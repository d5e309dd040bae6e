import { type Request, Router } from 'express';
import type { AppContext } from '../../context.js';
import type { Texts } from '../../i18n/index.js';
import { currentDigestFor } from '../../services/dashboard.js';
import { mintDashboardLink } from '../../services/dashboard-links.js';

/**
 * The simulator's lead navigator: this week's digest so far (the Friday one arrives in the thread like any
 * message), and the dashboard opened as the chat button would, with a link minted for this person. Mounted
 * under the simulator's guarded API, so only the simulator page on this machine can ask.
 */
export function leadRoutes(ctx: AppContext, texts: Texts): Router {
  const router = Router();

  router.get('/:id/digest', async (req: Request<{ id: string }>, res) => {
    const digest = await currentDigestFor(ctx, req.params.id);
    if (!digest.ok) {
      res.status(404).json({ error: digest.problem, message: 'This person does not get a weekly digest.' });
      return;
    }
    const rendered = texts.render(digest.payload, digest.locale);
    res.json({ week: digest.week, text: rendered.text, locale: rendered.locale });
  });

  router.post('/:id/dashboard-link', async (req: Request<{ id: string }>, res) => {
    const minted = await mintDashboardLink(ctx, req.params.id);
    if (!minted.ok) {
      res.status(403).json({ error: minted.problem, message: 'This person may not open the dashboard.' });
      return;
    }
    // Relative: the simulator page opens it on whatever address it was itself opened on.
    const url = new URL(minted.link.url);
    res.json({ url: `${url.pathname}${url.search}`, expiresAt: minted.link.expiresAt });
  });

  return router;
}
