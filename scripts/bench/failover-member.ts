// One zkurator LeaderLatch member in a process of its own, for the failover benchmark
// (failover-bench.ts; CuratorLatchMember.java is the same member with Curator 5.4.0):
//   node dist/scripts/bench/failover-member.js <connect> <sessionTimeoutMs> <path> <id>
// Joins at once. Lines on stdout, each stamped with CLOCK_MONOTONIC ns (process.hrtime, the clock
// of Java's System.nanoTime(): the harness compares stamps across processes):
//   joined <node>           its node exists (it leads or waits in line)
//   leader <ns> <node>      isLeader, stamped first thing in the listener
//   closing <ns>            stamped right before latch.close()
//   closed                  close() returned
//   touched                 one request answered (`touch`)
// Commands on stdin: join (a new latch on the same client), close, touch (one request: it moves
// the client's ping cadence, which runs from its latest request), exit.
import { createInterface } from 'node:readline';
import { connect, LeaderLatch } from '../../lib/index.js';

const [connectString, sessionArg, path, id] = process.argv.slice(2) as [string, string, string, string];
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const client = await connect(connectString, { sessionTimeout: Number(sessionArg) });
let latch: LeaderLatch | undefined;

async function join(): Promise<void> {
  const member = new LeaderLatch(client, path, { id });
  member.on('isLeader', () => say(`leader ${process.hrtime.bigint()} ${member.node}`));
  latch = member;
  await member.start();
  say(`joined ${member.node}`);
}

await join();
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'join') {
    await join();
  } else if (line === 'close') {
    say(`closing ${process.hrtime.bigint()}`);
    await latch?.close();
    say('closed');
  } else if (line === 'touch') {
    await client.exists(path);
    say('touched');
  } else if (line === 'exit') {
    break;
  }
}
await latch?.close();
await client.close();
process.exit(0); // stdin, still open, would keep the process alive
