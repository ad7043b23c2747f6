// Curator 5.4.0 from Debian's jars, for the Java programs that stand in for JVM services: the
// test peer (test/peer), the benchmark harness (scripts/bench) and the demo worker
// (scripts/demo). One class path and one javac call for all three.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const JAVA_DIR = '/usr/share/java';
const CURATOR_JARS = [
  'curator-client', 'curator-framework', 'curator-recipes', 'guava', 'zookeeper', 'zookeeper-jute',
  'slf4j-api', 'slf4j-nop', 'netty-handler', 'netty-transport', 'netty-common', 'netty-buffer',
  'netty-resolver', 'netty-codec', 'netty-transport-native-epoll', 'netty-transport-native-unix-common',
];

/** Curator's class path (plus `extra` dirs first, e.g. where our classes were compiled). */
export function curatorClasspath(extra: readonly string[] = []): string {
  return [...extra, ...CURATOR_JARS.map((j) => join(JAVA_DIR, `${j}.jar`))].join(':');
}

/** True when Debian's Curator jars are installed. */
export function curatorAvailable(): boolean {
  return existsSync(join(JAVA_DIR, 'curator-recipes.jar'));
}

/**
 * Compiles one Java source against Curator into `outDir`; classes it uses from its own folder
 * (e.g. the test peers' shared PeerOut.java) are compiled with it.
 */
export function compileAgainstCurator(source: string, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  execFileSync('javac', ['-nowarn', '-d', outDir, '-cp', curatorClasspath(), '-sourcepath', dirname(source), source], { stdio: 'pipe' });
}
