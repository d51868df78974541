import { join } from 'node:path';

/** The migrated template every suite's database is cloned from. */
export const TEMPLATE_DB = 'ion_test_template';

/** Where `nest build` (run by npm test before jest) puts the API's entry points. */
export const DIST_API = join(__dirname, '..', '..', 'dist', 'apps', 'api', 'apps', 'api', 'src');

/** Where `npm run build` puts the web console (vite build of apps/web). */
export const DIST_WEB = join(__dirname, '..', '..', 'dist', 'web');

/** Screenshots the browser suites save (not committed). */
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'screenshots');
