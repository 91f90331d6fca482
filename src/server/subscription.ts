import {
  type MetricsMessage,
  type ServerMessage,
  SUBSCRIBABLE_TYPES,
  SUBSCRIBER_ONLY_TYPES,
  SUBSCRIPTION_INTERVAL_MS,
  type SubscribableType,
  type SubscriptionMessage,
  type SubscriptionRequest,
} from '../protocol.js';

/**
 * Which processes a client hears about: only the named ones, or all but the named ones. The second form exists
 * because `unsubscribe` may name a process while the client listens to all of them, and "all" must keep
 * including processes that appear later; a list of today's names would not.
 */
export type ProcessScope =
  | { readonly kind: 'only'; readonly names: ReadonlySet<string> }
  | { readonly kind: 'except'; readonly names: ReadonlySet<string> };

/** What one client receives (issue 15). Immutable: every request makes a new one. */
export interface Subscription {
  readonly processes: ProcessScope;
  readonly types: ReadonlySet<SubscribableType>;
  /** The interval of this client's `metrics` and `system` messages, in milliseconds. */
  readonly interval: number;
}

const ALL_TYPES: ReadonlySet<SubscribableType> = new Set(SUBSCRIBABLE_TYPES);
const TYPES_OF_THE_UNSUBSCRIBED: ReadonlySet<SubscribableType> = new Set(
  SUBSCRIBABLE_TYPES.filter((type) => !SUBSCRIBER_ONLY_TYPES.includes(type)),
);
const EVERY_PROCESS: ProcessScope = { kind: 'except', names: new Set() };

/** The filter of a client that never subscribed: what the seed's client receives, and nothing new. */
export function unsubscribed(defaultInterval: number): Subscription {
  return { processes: EVERY_PROCESS, types: TYPES_OF_THE_UNSUBSCRIBED, interval: defaultInterval };
}

/** Whole milliseconds within SUBSCRIPTION_INTERVAL_MS, so a client cannot make the server sample without pause. */
export function clampInterval(requested: number): number {
  return Math.min(
    SUBSCRIPTION_INTERVAL_MS.max,
    Math.max(SUBSCRIPTION_INTERVAL_MS.min, Math.round(requested)),
  );
}

/** The filter after one `subscribe` or `unsubscribe` from a client whose filter was `current`. */
export function applyRequest(
  current: Subscription,
  request: SubscriptionRequest,
  defaultInterval: number,
): Subscription {
  const interval = request.interval === undefined ? undefined : clampInterval(request.interval);
  if (request.type === 'subscribe') {
    return {
      processes:
        request.processes === undefined ? EVERY_PROCESS : { kind: 'only', names: new Set(request.processes) },
      types: request.types === undefined ? ALL_TYPES : new Set(request.types),
      interval: interval ?? defaultInterval,
    };
  }
  if (request.processes === undefined && request.types === undefined) {
    return { ...unsubscribed(defaultInterval), interval: interval ?? defaultInterval };
  }
  return {
    processes:
      request.processes === undefined ? current.processes : without(current.processes, request.processes),
    types: request.types === undefined ? current.types : difference(current.types, request.types),
    interval: interval ?? current.interval,
  };
}

function without(scope: ProcessScope, names: readonly string[]): ProcessScope {
  if (scope.kind === 'only') return { kind: 'only', names: difference(scope.names, names) };
  return { kind: 'except', names: new Set([...scope.names, ...names]) };
}

function difference<T>(set: ReadonlySet<T>, removed: readonly T[]): ReadonlySet<T> {
  const result = new Set(set);
  for (const item of removed) result.delete(item);
  return result;
}

function coversProcess(scope: ProcessScope, name: string): boolean {
  return scope.names.has(name) === (scope.kind === 'only');
}

/** The process a message is about, if any; messages about none (info, processes, system) pass any scope. */
function processOf(message: ServerMessage): string | undefined {
  switch (message.type) {
    case 'process':
    case 'status':
    case 'run':
      return message.name;
    case 'error':
    case 'event':
      return message.process;
    default:
      return undefined;
  }
}

/**
 * Whether a broadcast message goes to a client with this filter. Called once per message and client on the
 * output path, so it does two set lookups and allocates nothing. Types that cannot be subscribed to (`info`,
 * replies) always pass; `metrics` passes whole here and is narrowed per client by `narrowMetrics`.
 */
export function admits(subscription: Subscription, message: ServerMessage): boolean {
  const type = message.type as SubscribableType;
  if (!ALL_TYPES.has(type)) return true;
  if (!subscription.types.has(type)) return false;
  const name = processOf(message);
  return name === undefined || coversProcess(subscription.processes, name);
}

/**
 * A key equal for two filters exactly when they narrow `metrics` the same way, so that one narrowed message
 * is built and encoded once for all the clients that share it.
 */
export function processScopeKey(subscription: Subscription): string {
  const { kind, names } = subscription.processes;
  if (kind === 'except' && names.size === 0) return '';
  return `${kind}:${JSON.stringify([...names].sort())}`;
}

/** The `metrics` message with only the processes this client listens to; the same object when that is all. */
export function narrowMetrics(subscription: Subscription, message: MetricsMessage): MetricsMessage {
  const scope = subscription.processes;
  if (scope.kind === 'except' && scope.names.size === 0) return message;
  return { ...message, processes: message.processes.filter((entry) => coversProcess(scope, entry.name)) };
}

/** The answer to a request: the filter now in force, in the protocol's words. */
export function describeSubscription(subscription: Subscription, timestamp: number): SubscriptionMessage {
  const { processes, types, interval } = subscription;
  const message: SubscriptionMessage = {
    type: 'subscription',
    processes: processes.kind === 'only' ? [...processes.names] : null,
    types: types.size === ALL_TYPES.size ? null : SUBSCRIBABLE_TYPES.filter((type) => types.has(type)),
    interval,
    timestamp,
  };
  if (processes.kind === 'except' && processes.names.size > 0) message.exceptProcesses = [...processes.names];
  return message;
}
