// Starting a Curator test peer (a Java program in test/peer, compiled with javac on first use)
// and reading its replies: one JSON object per stdout line (test/peer/PeerOut.java). Lines that
// are not JSON (JVM warnings) are skipped.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compileAgainstCurator, curatorClasspath } from '../../scripts/curator-java.js';

// dist/test/support -> repo root
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const peerBuild = join(repoRoot, 'test', 'peer', 'build');
const compiled = new Set<string>();

/** A running peer JVM: its process, and everything it wrote to stderr so far (for failures). */
export interface JavaPeerProcess {
  readonly child: ChildProcess;
  stderr(): string;
  /** Resolves when the JVM has exited. */
  readonly exited: Promise<void>;
  /** Sends the peer's `exit` command (Curator closes: its session and nodes go); SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/**
 * Compiles `test/peer/<main>.java` (once per run) and starts it with the connect string and
 * `args`; `onReply` gets each JSON line it prints, parsed.
 */
export function startJavaPeer<R>(main: string, args: readonly string[], onReply: (reply: R) => void): JavaPeerProcess {
  if (!compiled.has(main)) {
    compileAgainstCurator(join(repoRoot, 'test', 'peer', `${main}.java`), peerBuild);
    compiled.add(main);
  }
  const child = spawn('java', ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC',
    '-cp', curatorClasspath([peerBuild]), main, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let reply: R;
    try {
      reply = JSON.parse(line) as R;
    } catch {
      return; // not ours (a JVM warning)
    }
    onReply(reply);
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin!.write('exit\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, stderr: () => stderr, exited, stop };
}
