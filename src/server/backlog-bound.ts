/** What the bound needs to know about one client: the bytes queued for it and whether it is closing. */
export interface ClientBacklog {
  /** Bytes written to the client's socket that it has not read yet (`ws` calls it `bufferedAmount`). */
  readonly backlog: number;
  /** True once its close frame is queued behind its backlog; it is then sent nothing more. */
  readonly closing: boolean;
}

export interface EvictionPlan<T> {
  /** Open clients to close with 1013, most backlogged first. */
  close: T[];
  /** Closing clients whose sockets are destroyed now, without waiting for their close timeout. */
  destroy: T[];
}

const byBacklogDescending = (a: ClientBacklog, b: ClientBacklog) => b.backlog - a.backlog;

/**
 * Decides which clients to drop so that the memory held for all clients together stays bounded, however
 * many of them stop reading. Two shares, each of `bound` bytes:
 *
 * - Open clients together may hold `bound`. Beyond it the most backlogged are closed (they are the ones
 *   holding the memory, and the ones least likely to catch up) until the rest fit. The least backlogged
 *   open client is always kept: alone, it is bounded by its own limit, and a replay larger than `bound`
 *   (every process's scrollback at once) would otherwise get the only viewer closed on every reconnect.
 * - A closed client keeps its backlog until it reads up to its close frame or its close timeout destroys
 *   the socket. Without a second bound, clients that connect, stall and get closed one after another
 *   would each leave their backlog behind for the whole close timeout. So when all clients together hold
 *   more than twice `bound`, the most backlogged closing clients are destroyed early (they see 1006).
 *   Twice, not once: the clients closed by one pass hold about `bound` between them, and must keep it for
 *   as long as they need to read up to their close code.
 */
export function planEvictions<T extends ClientBacklog>(clients: Iterable<T>, bound: number): EvictionPlan<T> {
  const open: T[] = [];
  const closing: T[] = [];
  let openTotal = 0;
  let closingTotal = 0;
  for (const client of clients) {
    if (client.closing) {
      closing.push(client);
      closingTotal += client.backlog;
    } else {
      open.push(client);
      openTotal += client.backlog;
    }
  }
  const plan: EvictionPlan<T> = { close: [], destroy: [] };
  if (openTotal > bound) {
    open.sort(byBacklogDescending);
    for (const client of open.slice(0, -1)) {
      if (openTotal <= bound) break;
      plan.close.push(client);
      openTotal -= client.backlog;
      closing.push(client);
      closingTotal += client.backlog;
    }
  }
  if (openTotal + closingTotal > 2 * bound) {
    // The clients closed by this very pass are among the candidates: if the others already fill the
    // closing share, the newest must go too, or the bound would not hold.
    closing.sort(byBacklogDescending);
    for (const client of closing) {
      if (openTotal + closingTotal <= 2 * bound) break;
      plan.destroy.push(client);
      closingTotal -= client.backlog;
    }
  }
  return plan;
}
