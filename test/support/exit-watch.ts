// After the run: the process should exit by itself (mocha runs without --exit, so a handle a
// test or the library left open shows as a run that does not end). If it is still alive
// EXIT_GRACE_MS later, say what keeps it alive and fail, instead of waiting for the line's
// time limit with no clue. The timer is unref'd: it never keeps the process alive itself.
//
// It also records how far the process got on its way out, in the file that scripts/test.sh
// names in ZKURATOR_TEST_EXIT_MARK, one line per stage:
//   teardown        mocha has run every test (its global teardown)
//   beforeExit      the event loop emptied: no handle, timer or request of any test was left
//   exit <code>     the 'exit' event: the last JavaScript of the process has run
// A process that wrote "exit 0" and is still there is in Node's own teardown (its platform's
// task drain and worker-thread join), which no code of ours runs in: scripts/line-watchdog.sh
// uses this to tell a Node hang from a test or library one without needing native stacks.
import { appendFileSync } from 'node:fs';

const EXIT_GRACE_MS = 30_000;

export function watchForExit(): void {
  markExitStage('teardown');
  process.once('beforeExit', () => {
    markExitStage('beforeExit');
    // registered now, after mocha's own 'exit' listener (added once the run is done), which
    // sets the exit code from the failures: this one runs after it and sees that code
    process.once('exit', () => markExitStage(`exit ${process.exitCode ?? 0}`));
  });
  setTimeout(() => {
    process.stderr.write(
      `test: every test ended ${EXIT_GRACE_MS / 1000} s ago, but the process is still running; what keeps it alive:\n` +
        describeActiveHandles().map((line) => `  ${line}\n`).join(''),
    );
    // mocha's own 'exit' listener sets the exit code from the failures (0 here): this one,
    // added after it, runs last and keeps the failure
    process.once('exit', () => { process.exitCode = 1; });
    process.exit(1);
  }, EXIT_GRACE_MS).unref();
}

function markExitStage(stage: string): void {
  const file = process.env.ZKURATOR_TEST_EXIT_MARK;
  if (!file) return;
  try {
    appendFileSync(file, `${stage}\n`); // synchronous: the 'exit' event allows nothing else
  } catch {
    // a mark that cannot be written only costs the line's diagnosis, never the run
  }
}

/** One line per handle Node still has open: its kind and what identifies it. */
export function describeActiveHandles(): string[] {
  const lines = [`resources: ${process.getActiveResourcesInfo().join(', ') || 'none'}`];
  const getHandles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  for (const handle of getHandles?.call(process) ?? []) lines.push(describeHandle(handle));
  return lines;
}

function describeHandle(handle: unknown): string {
  if (typeof handle !== 'object' || handle === null) return String(handle);
  const h = handle as Record<string, unknown>;
  const kind = handle.constructor?.name ?? 'object';
  const parts: string[] = [kind];
  if (typeof h.pid === 'number') parts.push(`pid ${h.pid}`);
  if (Array.isArray(h.spawnargs)) parts.push(`args ${JSON.stringify(h.spawnargs).slice(0, 300)}`);
  if (typeof h.remoteAddress === 'string') parts.push(`to ${h.remoteAddress}:${String(h.remotePort)}`);
  if (typeof h.localPort === 'number') parts.push(`local port ${h.localPort}`);
  const inner = h._handle as { constructor?: { name?: string }; fd?: number } | undefined;
  if (inner?.constructor?.name) parts.push(`(${inner.constructor.name}${typeof inner.fd === 'number' ? ` fd ${inner.fd}` : ''})`);
  if (typeof (h as { address?: unknown }).address === 'function' && kind === 'Server') {
    try { parts.push(`listening ${JSON.stringify((h as { address: () => unknown }).address())}`); } catch { /* closed */ }
  }
  return parts.join(' ');
}
