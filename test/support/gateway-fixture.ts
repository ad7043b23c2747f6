// Gateways for tests: each on its own client and a free loopback port, under a root no other
// test uses, closed (with its client) after the test. Requests go over real HTTP (fetch).
import { randomUUID } from 'node:crypto';
import { createGateway, type Gateway, type GatewayOptions } from '../../lib/gateway/index.js';
import type { ZkClient } from '../../lib/index.js';
import { newClient } from './harness.js';

export interface TestGateway {
  readonly gateway: Gateway;
  readonly client: ZkClient;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** fetch relative to base. */
  http(path: string, init?: RequestInit): Promise<Response>;
  /** POST JSON. */
  post(path: string, body?: unknown, init?: RequestInit): Promise<Response>;
}

const running = new Set<Gateway>();

/** A root path for one test's gateways. */
export function uniqueRoot(): string {
  return `/zkurator-test/gw-${randomUUID().slice(0, 8)}`;
}

export async function startGateway(options: Partial<GatewayOptions> & { root: string }): Promise<TestGateway> {
  const client = options.client ?? await newClient();
  const gateway = await createGateway({ ...options, client });
  running.add(gateway);
  const { url } = await gateway.listen({ host: '127.0.0.1', port: 0 });
  const http = (path: string, init?: RequestInit): Promise<Response> => fetch(`${url}${path}`, init);
  return {
    gateway,
    client,
    base: url,
    http,
    post: (path, body, init) => http(path, {
      method: 'POST',
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      ...init,
    }),
  };
}

/** Closes every gateway a test started (root hooks close the clients). */
export async function closeGateways(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((g) => g.close()));
}

/** Mocha hooks for a suite that starts gateways. */
export function useGateways(): void {
  afterEach(closeGateways);
}
