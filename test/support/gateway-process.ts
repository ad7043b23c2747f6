// A real `zkurator serve` process on a free loopback port, for tests and the benchmark: started
// with the CLI as an operator would, ready once it prints where it listens, stopped with SIGTERM (its
// graceful shutdown releases what it holds), SIGKILL only if it does not end in time.
import { CliProcess } from './cli-process.js';

export interface GatewayStartOptions {
  connectString: string;
  /** `--root`: the ZooKeeper path the gateway's resources live under. */
  root: string;
  /** `--token-file`: a file holding the bearer token. */
  tokenFile?: string;
  extraArgs?: readonly string[];
}

export interface GatewayAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON when it is JSON, otherwise undefined. */
  json: unknown;
}

export class GatewayProcess {
  private constructor(readonly cli: CliProcess, readonly port: number, readonly root: string, private readonly token: string | undefined) {}

  /** Starts `zkurator serve` on a free loopback port and waits for the line saying where it listens. */
  static async start(options: GatewayStartOptions & { token?: string }): Promise<GatewayProcess> {
    const args = ['serve', '--connect', options.connectString, '--listen', '127.0.0.1:0', '--root', options.root];
    if (options.tokenFile !== undefined) args.push('--token-file', options.tokenFile);
    const cli = new CliProcess([...args, ...(options.extraArgs ?? [])]);
    let port: number;
    try {
      const m = await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 30_000);
      port = Number(m[1]);
    } catch (err) {
      await new GatewayProcess(cli, 0, options.root, undefined).stop();
      throw err;
    }
    return new GatewayProcess(cli, port, options.root, options.token);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.cli.pid;
  }

  /** One HTTP request (with the bearer token, if the gateway was started with one). */
  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<GatewayAnswer> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    const text = await res.text();
    let json: unknown;
    if (/json/.test(res.headers.get('content-type') ?? '')) json = JSON.parse(text) as unknown;
    return { status: res.status, headers: res.headers, text, json };
  }

  /** SIGTERM, then waits for the exit; SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const { child } = this.cli;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.destroy();
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.cli.exited;
    clearTimeout(force);
  }
}
