import { connect } from 'node:net';

/** Sends a ZooKeeper four-letter word (ruok, srvr, mntr, cons...) and returns the reply. */
export function fourLetterWord(port: number, word: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    let out = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`four-letter word ${word} on ${port} timed out`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(word));
    sock.on('data', (chunk: string) => { out += chunk; });
    sock.on('error', (err) => { clearTimeout(timer); reject(err); });
    sock.on('close', () => { clearTimeout(timer); resolve(out); });
  });
}

/** Sessions (hex ids, without 0x) the server says watch `path`, from `wchp`. */
export async function sessionsWatching(port: number, path: string): Promise<string[]> {
  const out = await fourLetterWord(port, 'wchp');
  const sessions: string[] = [];
  let current: string | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('/')) current = line.trim();
    else if (line.trim().startsWith('0x') && current === path) sessions.push(line.trim().slice(2));
  }
  return sessions;
}
