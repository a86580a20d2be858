import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { parseConfig } from '@dispatch/core';
import { apiConfigSchema, buildApiDeps, createApp } from '@dispatch/api/testing';
import type { Harness } from './harness.js';

// The API over a real port (supertest does without one), for clients that speak HTTP: the CLI as a
// child process, the console in a browser. Either the harness's own app, or a second API process's
// worth of state on the same database with some settings changed (a new key ring, say).

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

async function listen(app: ReturnType<typeof createApp>, closeDeps: () => Promise<void>): Promise<ApiServer> {
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await closeDeps();
    },
  };
}

/** The harness's API on a real port (closing it leaves the harness running). */
export const serveHarnessApi = (h: Harness) => listen(createApp(h.deps), async () => {});

/** Another API process's state on the harness's database and queues, with `env` changed. */
export function serveApiWith(h: Harness, env: Record<string, string>): Promise<ApiServer> {
  const { deps, close } = buildApiDeps(parseConfig(apiConfigSchema, { ...h.env, ...env }), pino({ level: 'silent' }));
  return listen(createApp(deps), close);
}
