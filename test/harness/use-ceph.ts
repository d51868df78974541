/*
 * setupFiles of the `e2e-ceph` jest project: the storage suites it lists run against the run's Ceph RGW
 * instead of s3rver. Jest gives each test file a copy of process.env, so this does not reach the files of
 * the other projects that the same worker runs.
 */
process.env.ION_TEST_STORAGE = 'ceph';
