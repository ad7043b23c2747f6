// The tests CI runs a second time on the Docker backend (scripts/test-docker.sh --ci, with
// ZKURATOR_TEST_BACKEND=docker): those where it matters how a server runs, i.e. that start,
// stop, kill and restart standalone servers and 3-node ensembles (each member a container),
// or run Curator peers against them. The others only talk to the shared server, the same
// ZooKeeper 3.8 either way, and already ran on the local backend. Measured on the 2-core
// machine: about 3 minutes, against about 7 for the whole suite on this backend.
// Everything but `spec` comes from .mocharc.cjs (a --config file replaces it, spec included).
'use strict';

const { existsSync } = require('node:fs');
const { join } = require('node:path');
const base = require('../../.mocharc.cjs');

const tests = [
  // Curator 5.4.0 peers against servers in containers
  'curator-interop', 'curator-rw-interop', 'curator-semaphore-interop', 'curator-revoke-interop',
  'curator-auth-interop', 'multi-lock-curator-interop', 'multi-lock-semaphore-interop', 'gateway-cluster',
  // faults: servers killed, restarted, expiring sessions; TLS from the image's own JDK
  'faults', 'semaphore-faults', 'zookeeper-client', 'no-console-output', 'tls',
  // 3-node ensembles: members killed and restarted, processes contending across them
  'rig', 'mutual-exclusion', 'cli-security',
  // `zkurator dev-server --backend docker`: its container and data dir go however it ends
  'cli-dev-server',
];

const spec = tests.map((name) => `dist/test/${name}.test.js`);
// mocha only warns about a spec that matches nothing: a renamed test would drop out unseen
const missing = spec.filter((file) => !existsSync(join(__dirname, '..', '..', file)));
if (missing.length > 0) throw new Error(`no such test (renamed? not built?): ${missing.join(', ')}; see scripts/docker/ci-subset.mocharc.cjs`);

module.exports = { ...base, spec };
