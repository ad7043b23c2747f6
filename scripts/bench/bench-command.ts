// The command that reproduces a benchmark run, as RESULTS.md quotes it: every BENCH_* setting
// the run was given (BENCH_ONLY first), then `npm run bench`.

/** e.g. `BENCH_ONLY=w1,gateway BENCH_ZK_CONFIG="serverCnxnFactory=..." npm run bench`. */
export function benchCommand(env: NodeJS.ProcessEnv = process.env): string {
  const names = Object.keys(env).filter((k) => k.startsWith('BENCH_') && env[k] !== undefined)
    .sort((a, b) => (a === 'BENCH_ONLY' ? -1 : b === 'BENCH_ONLY' ? 1 : a.localeCompare(b)));
  const quoted = (v: string): string => (/^[\w.,:=/-]*$/.test(v) ? v : JSON.stringify(v));
  return [...names.map((k) => `${k}=${quoted(env[k]!)}`), 'npm run bench'].join(' ');
}
