// Before each suite of the redis-cluster project: every harness of the suite uses the run's cluster
// (cluster-global-setup.ts) with three delivery shards. Jest gives each test file its own copy of
// process.env, so the other project's suites keep the plain Redis.
const url = process.env.DISPATCH_TEST_CLUSTER_URL;
if (!url) throw new Error('DISPATCH_TEST_CLUSTER_URL is unset: the redis-cluster project runs only with its global setup');
process.env.REDIS_URL = url;
process.env.DISPATCH_QUEUE_SHARDS = '3';
// These suites are about Redis Cluster: a run on the Postgres queue backend must not turn them into
// Postgres runs (the harness would otherwise point REDIS_URL at a closed port).
delete process.env.DISPATCH_TEST_QUEUE_BACKEND;
