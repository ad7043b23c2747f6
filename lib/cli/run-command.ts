// `zkurator run <path> -- <command...>`: flock(1), cluster-wide. Take the lock, run the command
// with the lock held, release it when the command ends, and exit with the command's code.
// If the lock may be lost meanwhile, the command is stopped: work that needs the lock must not
// go on without it.
import { spawn } from 'node:child_process';
import { LockLostError, LockTimeoutError } from '../errors.js';
import type { Lease } from '../locks/engine/lease.js';
import { Mutex } from '../locks/mutex.js';
import { ReadWriteLock } from '../locks/read-write-lock.js';
import { Semaphore } from '../locks/semaphore.js';
import type { ReentrantLock } from '../locks/engine/reentrant-lock.js';
import type { ZkClient } from '../framework/zk-client.js';
import type { RunArgs } from './args.js';
import { cliAcls } from './cli-acl.js';
import { connectForCli } from './cli-connect.js';
import { CliFailure, formatDuration } from './cli-failure.js';
import { ExitCode, signalExitCode } from './exit-codes.js';
import { QueueProgress, type ProgressStream } from './queue-progress.js';

/** Signals that end a wait, and that are passed on to the command once it runs. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The abort reason when a signal ends the wait for the lock. */
class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

function lockFor(client: ZkClient, args: RunArgs): Pick<ReentrantLock, 'acquire'> {
  const acls = cliAcls(args.acl);
  const revocable = args.revocable ? { revocable: true } : {};
  switch (args.mode.kind) {
    case 'mutex': return new Mutex(client, args.path, { maxLeases: args.mode.maxLeases, ...acls, ...revocable });
    case 'semaphore': return semaphoreLock(new Semaphore(client, args.path, { maxLeases: args.mode.maxLeases, ...acls }));
    case 'read': return new ReadWriteLock(client, args.path, { ...acls, ...revocable }).readLock;
    case 'write': return new ReadWriteLock(client, args.path, { ...acls, ...revocable }).writeLock;
  }
}

/** One lease of a V2 semaphore, taken like a lock (it has no queue position to show). */
function semaphoreLock(semaphore: Semaphore): Pick<ReentrantLock, 'acquire'> {
  return {
    acquire: async ({ timeout, signal } = {}) => (await semaphore.acquire({ timeout, signal }))[0] as Lease,
  };
}

/** Installs handlers for the forwarded signals; returns the function that removes them. */
function onSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  for (const s of FORWARDED_SIGNALS) process.on(s, handler);
  return () => {
    for (const s of FORWARDED_SIGNALS) process.off(s, handler);
  };
}

export async function runCommand(args: RunArgs, stderr: ProgressStream): Promise<number> {
  const client = await connectForCli(args, { lossPolicy: args.lossPolicy });
  try {
    const lease = await acquire(client, args, stderr);
    try {
      return await supervise(lease, args, stderr);
    } finally {
      // A release that cannot reach ZooKeeper is finished by closing the session below.
      if (!lease.released) await lease.release().catch(() => undefined);
    }
  } finally {
    await client.close();
  }
}

async function acquire(client: ZkClient, args: RunArgs, stderr: ProgressStream): Promise<Lease> {
  const progress = new QueueProgress(stderr, args.path, args.progress ?? stderr.isTTY === true);
  const waiting = new AbortController();
  const stopListening = onSignals((signal) => waiting.abort(new Interrupted(signal)));
  let acquired = false;
  try {
    const lease = await lockFor(client, args).acquire({
      ...(args.timeoutMs === undefined ? {} : { timeout: args.timeoutMs }),
      signal: waiting.signal,
      onQueued: progress.update,
    });
    acquired = true;
    return lease;
  } catch (err) {
    if (err instanceof LockTimeoutError) {
      const ahead = progress.lastAhead === undefined ? '' : ` (${progress.lastAhead} ahead)`;
      throw new CliFailure(ExitCode.LOCK_TIMEOUT, args.timeoutMs === 0
        ? `${args.path} is held by others${ahead}; not waiting (--timeout 0)`
        : `timed out after ${formatDuration(args.timeoutMs ?? 0)} waiting for ${args.path}${ahead}`);
    }
    if (err instanceof Interrupted) {
      throw new CliFailure(signalExitCode(err.signal), `${err.signal} while waiting for ${args.path}; the command was not run`);
    }
    throw err;
  } finally {
    stopListening();
    progress.finish(acquired);
  }
}

/** Runs the command while the lease holds; resolves the exit code zkurator should end with. */
function supervise(lease: Lease, args: RunArgs, stderr: ProgressStream): Promise<number> {
  const [file, ...argv] = args.command;
  const child = spawn(file, argv, {
    stdio: 'inherit',
    env: {
      ...process.env,
      ZKURATOR_LOCK_PATH: args.path,
      ZKURATOR_LOCK_NODE: lease.path,
      ZKURATOR_FENCING_TOKEN: lease.fencingToken.toString(),
    },
  });
  return new Promise((resolve) => {
    let stopped = false; // the lock was lost or revoked: the command is being stopped
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: string): void => {
      if (stopped) return;
      stopped = true;
      stderr.write(`zkurator: ${why}; stopping the command (SIGTERM, SIGKILL after ${formatDuration(args.killAfterMs)})\n`);
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), args.killAfterMs);
    };
    const lossSignal = lease.signal;
    const onLost = (): void => {
      const lost = lossSignal.reason instanceof LockLostError ? lossSignal.reason : new LockLostError(args.path, 'lost');
      stop(`${lost.message} [${lost.reason}]`);
    };
    if (lossSignal.aborted) onLost();
    else lossSignal.addEventListener('abort', onLost, { once: true });
    // --revocable: a revocation request (zkurator revoke, Curator's Revoker) takes the lock back
    // as a loss does; the lock is released once the command has ended (runCommand).
    const stopOnRevoke = args.revocable
      ? lease.onRevokeRequested(() => stop(`revocation of ${lease.path} requested: releasing the lock`))
      : () => undefined;
    // The first signal is passed on as it is; a command that ignores it (or takes too long) is
    // sent SIGTERM at the second and SIGKILL at the third, as a second Ctrl-C does in most tools.
    let signals = 0;
    const stopForwarding = onSignals((signal) => {
      signals++;
      if (signals === 1) {
        child.kill(signal);
        return;
      }
      const escalated = signals === 2 ? 'SIGTERM' : 'SIGKILL';
      stderr.write(`zkurator: ${signal} again: sending ${escalated} to the command${escalated === 'SIGTERM' ? ' (once more: SIGKILL)' : ''}\n`);
      child.kill(escalated);
    });
    let settled = false;
    const settle = (code: number): void => {
      if (settled) return;
      settled = true;
      lossSignal.removeEventListener('abort', onLost);
      stopOnRevoke();
      stopForwarding();
      if (killTimer) clearTimeout(killTimer);
      resolve(code);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        stderr.write(`zkurator: command not found: ${file}\n`);
        settle(ExitCode.NOT_FOUND);
      } else {
        stderr.write(`zkurator: cannot run ${file}: ${err.message}\n`);
        settle(ExitCode.CANNOT_EXECUTE);
      }
    });
    child.once('exit', (code, signal) => {
      if (stopped) {
        settle(ExitCode.LOCK_LOST);
      } else {
        settle(code ?? signalExitCode(signal ?? 'SIGTERM'));
      }
    });
  });
}
