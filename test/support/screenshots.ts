// Where the end-to-end tests save their screenshots: test-output/screenshots/, or the README's
// docs/screenshots/ with OUTPOST_UPDATE_SCREENSHOTS=1 (so an ordinary test run leaves the docs alone).
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

export const SCREENSHOTS =
  process.env.OUTPOST_UPDATE_SCREENSHOTS === '1' ? join(root, 'docs', 'screenshots') : join(root, 'test-output', 'screenshots');
