// Live config reload: lucidlines watches its own config file (and the env files it names) and applies an
// edit to the running processes without touching those the edit left alone.
//
// This lives with the config rather than in src/behaviours/ because it is not a behaviour over the process
// events: it reads the file with the loader and the flags of this run, compares settings, and changes the
// set of processes (Supervisor.apply), which no behaviour may do through the BehaviourHost.

import path from 'node:path';
import { isDeepStrictEqual, stripVTControlCharacters } from 'node:util';
import {
  configEditProblemsMessage,
  configNeedsRestartMessage,
  configReloadedNotice,
  configWarningsMessage,
  configWatchFailedNotice,
  configWatchReadyNotice,
} from '../errors.js';
import type { FolderWatcher, WatchFolders } from '../folder-watcher.js';
import type { Timers } from '../output/line-splitter.js';
import type { ConfigRejection } from '../process/events.js';
import type { ProcessSpec } from '../process/spec.js';
import type { SpecChanges } from '../process/spec-changes.js';
import type { Settings } from './fields.js';
import type { LoadResult, LucidConfig } from './load.js';

/**
 * Settings applied live: none but `open`, which only matters at start anyway. The others shape the server
 * or the engine that are already running; an edit of one is reported as needing a restart of lucidlines.
 */
const NO_RESTART_NEEDED: ReadonlySet<string> = new Set(['open']);

/**
 * Editors often write a file in more than one step (truncate, then write); reading between the steps would
 * report a half-written file as invalid. A reload waits for this much quiet after the last change.
 */
const SETTLE_MS = 100;

export interface ConfigReloadDeps {
  /** The config as loaded at start. */
  initial: LucidConfig;
  /** Loads the config again, with the same flags and the same file. */
  load: () => Promise<LoadResult>;
  /** Applies new process specs (Supervisor.apply). */
  apply: (specs: readonly ProcessSpec[]) => Promise<SpecChanges>;
  /** Tells the lifecycle log what an applied edit did to the processes (Supervisor.reportConfigApplied). */
  applied: (changes: { added: string[]; removed: string[]; changed: string[] }) => void;
  /** Tells connected clients that an edit was not (wholly) applied (Supervisor.reportConfigRejection). */
  reject: (code: ConfigRejection, message: string) => void;
  /** Where the config file is shown relative to (the folder lucidlines was started in). */
  cwd: string;
  watchFolders: WatchFolders;
  timers: Timers;
  /** The terminal: notices to stdout, problems to stderr. */
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Starts watching; the returned function stops, releasing every watch. */
export function watchConfig(deps: ConfigReloadDeps): () => void {
  const shownFile = path.relative(deps.cwd, deps.initial.file) || deps.initial.file;
  // Settings that need a restart are never applied, so the ones in force stay those of the start.
  const settings: Settings = deps.initial.settings;
  let watchedFiles: string[] = [];
  let watcher: FolderWatcher | null = null;
  let timer: unknown = null;
  let reloading: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const watch = (envFiles: readonly string[]) => {
    const files = [deps.initial.file, ...envFiles];
    if (isDeepStrictEqual(files, watchedFiles)) return;
    watcher?.close().catch(() => {});
    watchedFiles = files;
    const relevant = new Set(files);
    // Editors save by writing another file and renaming it over this one, which replaces the file: a watch on
    // the file itself would be left on the old one, so the folders are watched and only these names count.
    const folders = [...new Set(files.map((file) => path.dirname(file)))];
    const folderSet = new Set(folders);
    watcher = deps.watchFolders(
      folders,
      { ignored: (target) => !relevant.has(target) && !folderSet.has(target) },
      {
        changed: () => schedule(),
        ready: () => {
          if (!stopped) deps.out(configWatchReadyNotice(shownFile));
        },
        failed: (error) => {
          if (!stopped) deps.err(configWatchFailedNotice(shownFile, error.message));
        },
      },
    );
  };

  const schedule = () => {
    if (stopped) return;
    if (timer !== null) deps.timers.clearTimeout(timer);
    timer = deps.timers.setTimeout(() => {
      timer = null;
      reloadNow();
    }, SETTLE_MS);
  };

  // One reload at a time: an edit saved while one is applied is read once that one is done.
  const reloadNow = () => {
    if (reloading !== null) {
      again = true;
      return;
    }
    reloading = reload().finally(() => {
      reloading = null;
      if (again && !stopped) {
        again = false;
        reloadNow();
      }
    });
  };

  const reload = async () => {
    const loaded = await deps.load();
    if (stopped) return;
    if (loaded.warnings.length > 0) deps.err(configWarningsMessage(loaded.warnings, loaded.omitted.warnings));
    if (!loaded.ok) {
      const message = configEditProblemsMessage(shownFile, loaded.problems, loaded.omitted.problems);
      deps.err(message);
      deps.reject('CONFIG_INVALID', plain(message));
      return;
    }
    const { config } = loaded;
    const needRestart = (Object.keys(config.settings) as (keyof Settings)[]).filter(
      (key) => !NO_RESTART_NEEDED.has(key) && !isDeepStrictEqual(config.settings[key], settings[key]),
    );
    const changes = await deps.apply(config.processes);
    if (stopped) return;
    const names = {
      added: changes.added.map((spec) => spec.name),
      removed: [...changes.removed],
      changed: changes.changed.map((spec) => spec.name),
    };
    deps.out(configReloadedNotice(shownFile, names));
    deps.applied(names);
    if (needRestart.length > 0) {
      const message = configNeedsRestartMessage(shownFile, needRestart);
      deps.err(message);
      deps.reject('CONFIG_NEEDS_RESTART', plain(message));
    }
    watch(config.envFiles);
  };

  watch(deps.initial.envFiles);
  return () => {
    stopped = true;
    if (timer !== null) deps.timers.clearTimeout(timer);
    watcher?.close().catch(() => {});
  };
}

/** The terminal's wording for a protocol message, without its colours. */
function plain(text: string): string {
  return stripVTControlCharacters(text).trim();
}
