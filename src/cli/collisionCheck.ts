// `naming.onCollision: error` when the config alone cannot tell: before serving, read every
// upstream once and refuse to start if any view (the full one, each profile) has a collision.
import { fullView, viewOf } from '../catalog/view.js';
import type { ProxyConfig } from '../config/schema.js';
import { catalogReport, collectListings } from './list.js';

/** The collisions, each naming both sources and the view; [] when there are none. */
export async function startupCollisions(config: ProxyConfig): Promise<string[]> {
  const full = fullView(config);
  const listings = await collectListings(config, full);
  const views = [{ label: 'full view', view: full }, ...Object.keys(config.profiles).map((name) => ({ label: `profile ${name}`, view: viewOf(config, name) }))];
  return views.flatMap(({ label, view }) => catalogReport(listings, view).collisions.map((collision) => `${label}: ${collision}`));
}
