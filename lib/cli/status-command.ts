// `zkurator status <path>` (alias `ls`): who holds a lock and who waits, in lock order; or, for
// an election path, who takes part and who leads.
import { ElectionConflictError } from '../errors.js';
import { classifyElectionNodes } from '../leader/election-nodes.js';
import { inspectElection, type ElectionSnapshot } from '../leader/election-inspector.js';
import { inspectLock, type LockSnapshot } from '../locks/lock-inspector.js';
import type { StatusArgs } from './args.js';
import { connectForCli } from './cli-connect.js';
import { formatDuration } from './cli-failure.js';
import { ExitCode } from './exit-codes.js';
import type { TextSink } from './queue-progress.js';

export async function statusCommand(args: StatusArgs, stdout: TextSink): Promise<number> {
  const client = await connectForCli(args);
  try {
    // LeaderLatch nodes (latch-) are an election, never a lock; lock- nodes are a lock unless
    // --election asks to read them as LeaderSelector members (the same nodes as a mutex).
    const { kind } = classifyElectionNodes(await client.getChildrenOrEmpty(args.path));
    if (args.election || kind === 'latch' || kind === 'mixed') {
      const election = await inspectElection(client, args.path);
      const now = Date.now();
      stdout.write(args.json ? `${JSON.stringify(electionJson(election, now), null, 2)}\n` : formatElection(election, now));
      // A path both recipes use has two leaders in Curator's eyes: say so in the exit code too.
      return election.kind === 'mixed' ? ExitCode.ELECTION_CONFLICT : ExitCode.OK;
    }
    const snapshot = await inspectLock(client, args.path, args.maxLeases === undefined ? {} : { maxLeases: args.maxLeases });
    stdout.write(args.json ? `${JSON.stringify(toJson(snapshot, Date.now()), null, 2)}\n` : formatTable(snapshot, Date.now()));
    return ExitCode.OK;
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

/** Columns sized to their content, the last one not padded. */
function columns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => col === r.length - 1 ? cell : cell.padEnd(widths[col]!)).join('  ')).join('\n') + '\n';
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
  return title + columns([
    ['#', 'STATE', 'KIND', 'AGE', 'SESSION', 'ORIGIN', 'DATA', 'NODE'],
    ...participants.map((p, i) => [
      String(i + 1), p.state, p.kind, formatDuration(Math.max(0, now - p.createdAt.getTime())),
      p.sessionId, p.origin, p.dataReadable === false ? '(no READ)' : JSON.stringify(p.data).slice(1, -1), p.name,
    ]),
  ]);
}

const RECIPES = { latch: 'LeaderLatch', selector: 'LeaderSelector', mixed: 'LeaderLatch and LeaderSelector', none: 'no members' } as const;

/** `--json` for an election: what inspectElection says, with times as text and ages. */
function electionJson(election: ElectionSnapshot, now: number): unknown {
  const member = (p: ElectionSnapshot['participants'][number]): unknown => ({
    ...p,
    role: p.kind === 'foreign' ? 'foreign' : p.isLeader ? 'leader' : 'waiting',
    createdAt: p.createdAt.toISOString(),
    czxid: p.czxid.toString(),
    ageMs: Math.max(0, now - p.createdAt.getTime()),
  });
  return {
    path: election.path,
    recipe: election.kind === 'latch' ? 'leader-latch' : election.kind === 'selector' ? 'leader-selector' : election.kind === 'mixed' ? 'conflict' : 'none',
    leader: election.leader === undefined ? null : member(election.leader),
    participants: election.participants.map(member),
    ...(election.kind === 'mixed' ? { conflict: conflictOf(election).message } : {}),
  };
}

function conflictOf(election: ElectionSnapshot): ElectionConflictError {
  const names = (kind: string): string[] => election.participants.filter((p) => p.kind === kind).map((p) => p.name);
  return new ElectionConflictError(election.path, names('latch'), names('selector'));
}

/** An election as a plain table, the leader first. Exported for the unit tests. */
export function formatElection(election: ElectionSnapshot, now: number): string {
  const { participants } = election;
  const members = participants.filter((p) => p.kind !== 'foreign').length;
  const count = `${members} member${members === 1 ? '' : 's'}`;
  const leaders = participants.filter((p) => p.isLeader && p.kind !== 'foreign');
  const title = election.kind === 'mixed'
    ? `${election.path} (CONFLICT: ${RECIPES.mixed} members on one path): ${count}; each recipe sees a leader of its own: `
      + `${leaders.map((p) => `${JSON.stringify(p.id)} (${RECIPES[p.kind as 'latch' | 'selector']})`).join(' and ')}; use one recipe per path\n`
    : `${election.path} (${election.kind === 'none' ? 'election' : `${RECIPES[election.kind]} election`}): `
      + `${election.leader ? `leader ${JSON.stringify(election.leader.id)}` : 'no leader'}, ${count}\n`;
  if (participants.length === 0) return title;
  return title + columns([
    ['#', 'ROLE', 'KIND', 'ID', 'AGE', 'SESSION', 'NODE'],
    ...participants.map((p, i) => [
      String(i + 1), p.kind === 'foreign' ? 'foreign' : p.isLeader ? 'leader' : 'waiting', p.kind,
      p.dataReadable === false ? '(no READ)' : JSON.stringify(p.id), formatDuration(Math.max(0, now - p.createdAt.getTime())), p.sessionId, p.name,
    ]),
  ]);
}
