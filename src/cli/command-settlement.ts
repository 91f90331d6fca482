// Sends lifecycle commands to the running instance and waits until each has settled, by the `id` the server
// echoes on the status or error that settles it (docs/protocol.md, "Command ids"). Shared by
// `lucidlines restart|start|stop` and the MCP tools, so both report the same outcome.

import { randomBytes } from 'node:crypto';
import type { ProcessStatus, TargetedAction } from '../protocol.js';
import type { InstanceSession } from './instance-connection.js';

/** Where one process ended up once a command settled. */
export interface Settlement {
  name: string;
  status: ProcessStatus;
  pid: number | null;
  /** Why it failed: the process's error (crash, spawn failure) or the server's refusal; null when it did not. */
  failure: string | null;
}

export type SettleOutcome =
  | { ok: true; settlements: Settlement[] }
  /** The instance closed the connection before everything settled (it is shutting down). */
  | { ok: false };

/** What each action is meant to reach; `starting` counts for a process that must first report ready. */
export function reachedGoal(action: TargetedAction, settlement: Settlement): boolean {
  if (settlement.failure !== null && settlement.status === 'error') return false;
  return action === 'stop' || action === 'kill'
    ? settlement.status === 'stopped'
    : settlement.status === 'running' || settlement.status === 'starting';
}

/**
 * Sends `action` for each name (or its `-all` form for every process, when `names` is 'all') and resolves
 * once every one has settled.
 */
export function sendAndSettle(
  session: InstanceSession,
  action: TargetedAction,
  names: readonly string[] | 'all',
): Promise<SettleOutcome> {
  const { client } = session;
  const prefix = `lucidlines-${randomBytes(6).toString('hex')}`;
  const everyName = session.info.processes.map((process) => process.name);
  /** By id: the names still waiting for it. */
  const waiting = new Map<string, Set<string>>();
  const settlements: Settlement[] = [];
  /** The latest error each process reported since the commands went out, to explain an `error` status. */
  const lastError = new Map<string, string>();

  return new Promise<SettleOutcome>((resolve) => {
    const finish = (outcome: SettleOutcome) => {
      offStatus();
      offError();
      offClose();
      resolve(outcome);
    };
    const settle = (id: string, name: string | undefined, settlement: (name: string) => Settlement) => {
      const pending = waiting.get(id);
      if (pending === undefined) return;
      // A refusal names no process when it concerns every process (a refused restart-all): it settles all.
      for (const each of name === undefined ? [...pending] : [name]) {
        if (!pending.delete(each)) continue;
        settlements.push(settlement(each));
      }
      if (pending.size === 0) waiting.delete(id);
      if (waiting.size === 0) finish({ ok: true, settlements });
    };
    const offStatus = client.on('status', (message) => {
      for (const id of message.ids ?? []) {
        settle(id, message.name, (name) => ({
          name,
          status: message.status,
          pid: message.pid,
          failure: message.status === 'error' ? (lastError.get(name) ?? null) : null,
        }));
      }
    });
    const offError = client.on('error', (message) => {
      if (message.ids === undefined) {
        if (message.process !== undefined) lastError.set(message.process, message.message);
        return;
      }
      for (const id of message.ids) {
        settle(id, message.process, (name) => ({
          name,
          status: session.info.processes.find((process) => process.name === name)?.status ?? 'error',
          pid: null,
          failure: message.message,
        }));
      }
    });
    const offClose = client.on('close', () => finish({ ok: false }));

    if (names === 'all') {
      const id = `${prefix}-all`;
      waiting.set(id, new Set(everyName));
      if (everyName.length === 0) {
        finish({ ok: true, settlements });
        return;
      }
      if (action === 'restart') client.restartAll({ id });
      else if (action === 'stop') client.stopAll({ id });
      // Start and kill have no form for every process; each process is sent its own, under one id.
      else for (const name of everyName) client[action](name, { id });
      return;
    }
    names.forEach((name, index) => {
      const id = `${prefix}-${index}`;
      waiting.set(id, new Set([name]));
      client[action](name, { id });
    });
    if (names.length === 0) finish({ ok: true, settlements });
  });
}
