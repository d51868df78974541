/**
 * Who may import whom (ARCHITECTURE.md, "Who may import whom"), checked by `npm run lint` on every `npm test`.
 * Type-only imports count (tsPreCompilationDeps): a cycle through `import type` is still a cycle for the reader.
 *
 * The libraries in layers; a library imports only libraries in layers above its own, never one in its own layer:
 *   common
 *   signing, database          (database's migrations: nothing of ours at all)
 *   audit
 *   auth, storage
 *   cases
 *   personnel, evidence
 *   packets
 *   apps/api                   may import every library
 */
const LAYERS = [
  ['common'],
  ['signing', 'database'],
  ['audit'],
  ['auth', 'storage'],
  ['cases'],
  ['personnel', 'evidence'],
  ['packets'],
];

/** For each library, the libraries it may import: every library in a layer above its own. */
const layerRules = LAYERS.flatMap((layer, i) => {
  const allowed = LAYERS.slice(0, i).flat();
  return layer.map((lib) => ({
    name: `layers-${lib}`,
    severity: 'error',
    comment:
      `libs/${lib} may import only ${allowed.length ? allowed.map((l) => `libs/${l}`).join(', ') : 'no other library'} ` +
      '(ARCHITECTURE.md, "Who may import whom")',
    from: { path: `^libs/${lib}/` },
    to: { path: '^libs/([^/]+)/', pathNot: [`^libs/${lib}/`, ...allowed.map((l) => `^libs/${l}/`)] },
  }));
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles between files: put what both sides need (types, interfaces) in a file of its own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'libs-not-to-apps',
      severity: 'error',
      comment: 'A library never imports apps/ (specs included: a spec that needs the CLI belongs in apps/api).',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'migrations-import-nothing-of-ours',
      severity: 'error',
      comment:
        'A migration must keep meaning what it meant when it ran: it imports typeorm and Node built-ins only, and ' +
        'carries a frozen copy of anything it computes (see 1763900000002-audit-body-json.ts).',
      from: { path: '^libs/database/src/migrations/', pathNot: '\\.spec\\.ts$' },
      to: {
        dependencyTypesNot: ['core'],
        pathNot: ['^libs/database/src/migrations/', '^node_modules/typeorm/'],
      },
    },
    ...layerRules,
    {
      name: 'api-not-to-web-or-tests',
      severity: 'error',
      comment: 'The service does not import the console, the e2e tests or the benches.',
      from: { path: '^apps/api/' },
      to: { path: '^(apps/web|test|bench)/' },
    },
    {
      name: 'web-only-shared-domain-files',
      severity: 'error',
      comment:
        'The console runs two service files as they are (apps/web/vite.config.mts "@domain" aliases) and imports ' +
        'nothing else of the server.',
      from: { path: '^apps/web/' },
      to: {
        path: '^(apps/api|libs)/',
        pathNot: ['^libs/cases/src/order-rules\\.ts$', '^libs/common/src/canonical-json\\.ts$'],
      },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        "An import that resolves to nothing (a typo, a missing dependency or path alias). The console's two " +
        '"@domain/" aliases are resolved by its own tsconfig and vite config (one file each), not by the server\'s.',
      from: {},
      to: { couldNotResolve: true, pathNot: '^@domain/(order-rules|canonical-json)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.data|coverage|test-results)/|^apps/web/src/api/schema\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
