// `lucidlines status [--json]`: every process of the running instance, with its status, pid, uptime,
// restarts and the URLs it announced.

import { parseArgs } from 'node:util';
import type { InfoMessage } from '../protocol.js';
import { connectToInstance } from './instance-connection.js';
import { type CliIo, EXIT_NO_INSTANCE, EXIT_OK, EXIT_USAGE, print } from './io.js';
import { readArgs, URL_OPTION } from './subcommand-args.js';

/** One process in `--json` output; `uptimeMs` is null while the process has no pid. */
export interface StatusEntry {
  name: string;
  status: string;
  pid: number | null;
  uptimeMs: number | null;
  restarts: number;
  exitCode: number | null;
  signal: string | null;
  urls: string[];
  command: string;
}

export function statusEntries(info: InfoMessage, now: number): StatusEntry[] {
  return info.processes.map((process) => {
    const pid = process.pid ?? null;
    const startedAt = process.startedAt ?? null;
    return {
      name: process.name,
      status: process.status,
      pid,
      uptimeMs: pid !== null && startedAt !== null ? Math.max(0, now - startedAt) : null,
      restarts: process.restarts ?? 0,
      exitCode: process.exitCode ?? null,
      signal: process.signal ?? null,
      urls: process.urls ?? [],
      command: process.command,
    };
  });
}

/** "3h 12m", "4m 05s", "12s": the two largest units are enough to read at a glance. */
export function formatUptime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

export function statusTable(entries: readonly StatusEntry[]): string {
  const rows = [
    ['NAME', 'STATUS', 'PID', 'UPTIME', 'RESTARTS', 'URLS'],
    ...entries.map((entry) => [
      entry.name,
      entry.status,
      entry.pid === null ? '-' : String(entry.pid),
      entry.uptimeMs === null ? '-' : formatUptime(entry.uptimeMs),
      String(entry.restarts),
      entry.urls.join(' ') || '-',
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

export async function runStatus(io: CliIo, argv: string[]): Promise<number> {
  const parsed = readArgs('status', () =>
    parseArgs({ args: argv, options: { json: { type: 'boolean' }, ...URL_OPTION }, strict: true }),
  );
  if (!parsed.ok) {
    print(io.stderr, parsed.message);
    return EXIT_USAGE;
  }
  const { json, url } = parsed.args.values;
  const connection = await connectToInstance(io.cwd, url);
  if (!connection.ok) {
    print(io.stderr, connection.message);
    return EXIT_NO_INSTANCE;
  }
  const { client, info } = connection.session;
  client.close();
  const entries = statusEntries(info, Date.now());
  print(
    io.stdout,
    json === true ? `${JSON.stringify({ processes: entries }, null, 2)}\n` : `${statusTable(entries)}\n`,
  );
  return EXIT_OK;
}
