import { afterAll, beforeAll } from '@jest/globals';
import { startHarness, type Harness, type HarnessOptions, type TestWorkspace } from './harness.js';
import { Ledger } from './ledger.js';
import { spawnApp, stopAllChildren, type ChildApp } from './processes.js';
import { Receiver } from './receiver.js';

// What most integration test files work with, started before the file's tests and closed after
// them: a harness (by default with its worker) with a workspace, and a loopback receiver. Each
// function registers the file's beforeAll/afterAll; the fields are set once the tests run.

export interface HarnessFixture {
  h: Harness;
  ws: TestWorkspace;
  receiver: Receiver;
}

async function startFixture(options: HarnessOptions): Promise<HarnessFixture> {
  const receiver = await new Receiver().start();
  const h = await startHarness(options);
  return { h, receiver, ws: await h.newWorkspace() };
}

async function closeFixture(fixture: Partial<HarnessFixture>): Promise<void> {
  await fixture.h?.close();
  await fixture.receiver?.close();
}

/**
 * A harness (with its worker) and a receiver for the file's tests, handed to `assign` once started:
 * `let h: Harness; let receiver: Receiver; withHarness((f) => ({ h, receiver } = f));`
 */
export function withHarness(assign: (fixture: { h: Harness; receiver: Receiver }) => void, options: HarnessOptions = {}): void {
  const fixture: Partial<HarnessFixture> = {};
  beforeAll(async () => {
    fixture.receiver = await new Receiver().start();
    fixture.h = await startHarness(options);
    assign({ h: fixture.h, receiver: fixture.receiver });
  });
  afterAll(() => closeFixture(fixture));
}

export function harnessFixture(options: HarnessOptions = {}): HarnessFixture {
  const fixture = {} as HarnessFixture;
  beforeAll(async () => void Object.assign(fixture, await startFixture(options)));
  afterAll(() => closeFixture(fixture));
  return fixture;
}

// A fault test's workers are usually child processes it can kill (the default here: no worker in
// the harness), sharing the harness's database and queue prefix, so the harness's clean-up removes
// their keys too; its ledger reads the harness's own database. After the tests the children are
// stopped first, and the ledger closed before the harness, whose closing drops its database.

export interface FaultFixture extends HarnessFixture {
  ledger: Ledger;
}

export function faultFixture(options: HarnessOptions = { worker: false }): FaultFixture {
  const fixture = {} as FaultFixture;
  beforeAll(async () => {
    Object.assign(fixture, await startFixture(options));
    fixture.ledger = new Ledger(fixture.h.childEnv().DATABASE_URL);
  });
  afterAll(async () => {
    try {
      await stopAllChildren();
    } finally {
      await fixture.ledger?.close();
      await closeFixture(fixture);
    }
  });
  return fixture;
}

/** A worker child process on the harness's database, queues and keys, with fault tests' short schedules; `env` adds to them. */
export function spawnFaultWorker(h: Harness, env: Record<string, string>): ChildApp {
  return spawnApp('worker', { ...h.childEnv(), DISPATCH_RETRY_SCHEDULE: '300ms,300ms,300ms', DISPATCH_RECONCILE_INTERVAL: '1s', ...env });
}
