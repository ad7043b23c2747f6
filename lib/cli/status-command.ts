// `zkurator status <path>` (alias `ls`): who holds a lock and who waits, in lock order.
import { inspectLock, type LockSnapshot } from '../locks/lock-inspector.js';
import type { StatusArgs } from './args.js';
import { connectForCli } from './cli-connect.js';
import { formatDuration } from './cli-failure.js';
import type { TextSink } from './queue-progress.js';

export async function statusCommand(args: StatusArgs, stdout: TextSink): Promise<number> {
  const client = await connectForCli(args);
  try {
    const snapshot = await inspectLock(client, args.path, args.maxLeases === undefined ? {} : { maxLeases: args.maxLeases });
    stdout.write(args.json ? `${JSON.stringify(toJson(snapshot, Date.now()), null, 2)}\n` : formatTable(snapshot, Date.now()));
    return 0;
  } finally {
    await client.close();
  }
}

function toJson(snapshot: LockSnapshot, now: number): unknown {
  return {
    ...snapshot,
    holders: snapshot.participants.filter((p) => p.state === 'holder').length,
    waiters: snapshot.participants.filter((p) => p.state === 'waiting').length,
    participants: snapshot.participants.map((p) => ({
      ...p,
      createdAt: p.createdAt.toISOString(),
      czxid: p.czxid.toString(),
      ageMs: Math.max(0, now - p.createdAt.getTime()),
    })),
  };
}

/** A plain table; columns sized to their content. Exported for the unit tests. */
export function formatTable(snapshot: LockSnapshot, now: number): string {
  const { participants } = snapshot;
  const holders = participants.filter((p) => p.state === 'holder').length;
  const kind = snapshot.recipe === 'mutex'
    ? `mutex${snapshot.maxLeases > 1 ? `, maxLeases ${snapshot.maxLeases}` : ''}`
    : snapshot.recipe !== 'semaphore' ? 'read-write lock'
      // A V2 semaphore's count is not in ZooKeeper: say what could not be known, and what was assumed.
      : snapshot.maxLeasesKnown === false ? `semaphore, lease count not given: judged as ${snapshot.maxLeases}, the least the leases held show; pass --semaphore N`
        : `semaphore, ${snapshot.maxLeases} lease${snapshot.maxLeases > 1 ? 's' : ''}`;
  const title = `${snapshot.path} (${kind}): ${holders} holding, ${participants.length - holders} waiting\n`;
  if (participants.length === 0) return title;
  const rows = [
    ['#', 'STATE', 'KIND', 'AGE', 'SESSION', 'ORIGIN', 'DATA', 'NODE'],
    ...participants.map((p, i) => [
      String(i + 1), p.state, p.kind, formatDuration(Math.max(0, now - p.createdAt.getTime())),
      p.sessionId, p.origin, p.dataReadable === false ? '(no READ)' : JSON.stringify(p.data).slice(1, -1), p.name,
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return title + rows.map((r) => r.map((cell, col) => col === r.length - 1 ? cell : cell.padEnd(widths[col]!)).join('  ')).join('\n') + '\n';
}
