// Replays a shared record of "enter <ref> <kind> [token]" / "exit <ref> <kind>" lines
// (appended by every contender, in real-time order) and checks the lock's promise held at
// every step. `read` holds are shared; any other kind (`write`, `mutex`) is exclusive.
// Fencing tokens of exclusive holds, where given, must strictly grow in entry order.

export interface RecordVerdict {
  /** Lines that broke the rules, with the state at that point. */
  violations: string[];
  /** Most readers holding at once. */
  maxReaders: number;
  enters: number;
  exits: number;
  /** Holds entered but never exited. */
  open: string[];
}

export function checkHoldRecord(text: string): RecordVerdict {
  const readers = new Set<string>();
  const exclusive = new Set<string>();
  const violations: string[] = [];
  let maxReaders = 0;
  let lastToken: bigint | undefined;
  let enters = 0;
  let exits = 0;
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  lines.forEach((line, n) => {
    const [event, ref, kind, token] = line.trim().split(' ');
    if (!event || !ref || !kind) {
      violations.push(`line ${n + 1}: malformed "${line}"`);
      return;
    }
    const state = `(readers: ${[...readers].join(',') || '-'}; exclusive: ${[...exclusive].join(',') || '-'})`;
    if (event === 'enter') {
      enters++;
      if (exclusive.size > 0) violations.push(`line ${n + 1}: ${ref} entered ${kind} while ${state}`);
      if (kind === 'read') {
        readers.add(ref);
        maxReaders = Math.max(maxReaders, readers.size);
      } else {
        if (readers.size > 0) violations.push(`line ${n + 1}: ${ref} entered ${kind} while ${state}`);
        exclusive.add(ref);
        if (token !== undefined) {
          const t = BigInt(token);
          if (lastToken !== undefined && t <= lastToken) violations.push(`line ${n + 1}: ${ref} token ${t} does not grow (last ${lastToken})`);
          lastToken = t;
        }
      }
    } else if (event === 'exit') {
      exits++;
      const set = kind === 'read' ? readers : exclusive;
      if (!set.delete(ref)) violations.push(`line ${n + 1}: ${ref} exited ${kind} without entering`);
    } else {
      violations.push(`line ${n + 1}: unknown event "${event}"`);
    }
  });
  return { violations, maxReaders, enters, exits, open: [...readers, ...exclusive] };
}
