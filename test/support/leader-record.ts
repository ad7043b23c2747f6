// Leadership terms of every member of an election, Java and Node, in one record file: lines
// "<ns> enter <member> [fencing token]" and "<ns> exit <member>", where <ns> is CLOCK_MONOTONIC
// in nanoseconds (Java's System.nanoTime(), Node's process.hrtime.bigint()). Processes append
// in any order; the lines are put in time order and replayed by the exclusion checker
// (hold-record.ts): at every moment at most one leader, tokens growing, every term closed.
import { appendFileSync } from 'node:fs';
import { checkHoldRecord, type RecordVerdict } from './hold-record.js';

/** Appends one line for a Node member, stamped with CLOCK_MONOTONIC now. */
export function recordTerm(file: string, event: 'enter' | 'exit', member: string, token?: bigint): void {
  appendFileSync(file, `${process.hrtime.bigint()} ${event} ${member}${token === undefined ? '' : ` ${token}`}\n`);
}

/** Replays the record in time order: the hold checker's verdict, every term an exclusive hold. */
export function checkLeaderRecord(text: string): RecordVerdict & { readonly terms: readonly string[] } {
  const malformed: string[] = [];
  const lines = text.split('\n').filter((l) => l.trim() !== '').flatMap((line, n) => {
    const [time, event, member, token] = line.trim().split(' ');
    if (!time || !/^\d+$/.test(time) || !event || !member) {
      malformed.push(`line ${n + 1}: malformed "${line}"`);
      return [];
    }
    return [{ at: BigInt(time), n, line: `${event} ${member} leader${token === undefined ? '' : ` ${token}`}` }];
  });
  lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.n - b.n));
  const verdict = checkHoldRecord(lines.map((l) => l.line).join('\n'));
  return {
    ...verdict,
    violations: [...malformed, ...verdict.violations],
    terms: lines.filter((l) => l.line.startsWith('enter ')).map((l) => l.line.split(' ')[1]!),
  };
}
