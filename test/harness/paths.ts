import { join } from 'node:path';

/** The migrated template every suite's database is cloned from. */
export const TEMPLATE_DB = 'ion_test_template';

/** Where `nest build` (run by npm test before jest) puts the API's entry points. */
export const DIST_API = join(__dirname, '..', '..', 'dist', 'apps', 'api', 'apps', 'api', 'src');
