// Free loopback ports for the servers and proxies the tests start.
//
// A port is picked at random below the kernel's ephemeral range (ip_local_port_range, 32768 and
// up by default), checked free by binding it, and never handed out twice in this process. The
// kernel gives ports from the ephemeral range to every outgoing connection and every bind to
// port 0, so a port found free there (bind(0), then close) may be taken again before the server
// it was picked for binds it, which for a server in a Docker container is seconds later: a
// 4-letter-word poll of one server, or the port pick of the next one, can take it, and the
// server exits with "address in use". Below the range only an explicit bind of that very
// number can take it.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freeLoopbackPort } from '../../lib/cli/local-zookeeper.js';

const LOWEST = 20_000;
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  const below = ephemeralLow();
  if (below - LOWEST >= 2_000) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const port = LOWEST + Math.floor(Math.random() * (below - LOWEST));
      if (handedOut.has(port) || !(await bindable(port))) continue;
      handedOut.add(port);
      return port;
    }
  }
  return freeLoopbackPort(); // a machine whose ephemeral range leaves no room below it
}

/** The lowest port of the kernel's ephemeral range (Linux), or 32768 where it cannot be read. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
