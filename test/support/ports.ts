// Free loopback ports for the servers and proxies the tests start.
export { freeLoopbackPort as freePort } from '../../lib/cli/local-zookeeper.js';
