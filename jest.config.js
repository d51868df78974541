/** Unit specs next to the code; e2e suites in test/ against real PostgreSQL (started by the harness). */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] };
const moduleNameMapper = { '^@app/([a-z-]+)(/.*)?$': '<rootDir>/libs/$1/src$2' };

/** The suites that touch storage and also run against Ceph RGW (project e2e-ceph). */
const CEPH_SUITES = [
  'evidence',
  'evidence-guards',
  'evidence-large',
  'evidence-tus',
  'evidence-tus-overlap',
  'packets',
  'packets-large',
  'packets-case-report',
  'faults',
];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'],
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      transform,
      moduleNameMapper,
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
    {
      // The storage suites once more, against Ceph RGW (a production S3 engine with Object Lock, versioning,
      // multipart abort and listing), so what they prove is proven on a real engine and not only on s3rver.
      // docs/operations.md ("Engines supported for preservation") says why these suites and not the others;
      // docs/decisions/0007-ceph-rgw-for-object-lock-tests.md why Ceph RGW. Same harness (one global setup
      // per run: jest runs a shared globalSetup file once).
      displayName: 'e2e-ceph',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: CEPH_SUITES.map((s) => `<rootDir>/test/${s}.e2e-spec.ts`),
      setupFiles: ['<rootDir>/test/harness/use-ceph.ts'],
      transform,
      moduleNameMapper,
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
  ],
  maxWorkers: 2,
  // e2e suites boot real servers; a project-level testTimeout is not honoured by jest 30, so it is set here.
  testTimeout: 60000,
};
