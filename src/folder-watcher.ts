// The one place lucidlines uses chokidar: watching folders for the watch behaviour and the config reload.

import { watch } from 'chokidar';

export interface FolderWatchOptions {
  /** Paths for which this is true are neither reported nor, for folders, read: node_modules is never walked. */
  ignored(path: string): boolean;
}

export interface FolderWatchHandlers {
  /** A file was added, changed or removed; an editor's save by rename arrives as one change. */
  changed(path: string): void;
  /** The initial scan is done: from now on every change is reported. Changes before this may be missed. */
  ready(): void;
  failed(error: Error): void;
}

export interface FolderWatcher {
  /** Releases every OS watch (inotify) it holds. */
  close(): Promise<void>;
}

export type WatchFolders = (
  paths: readonly string[],
  options: FolderWatchOptions,
  handlers: FolderWatchHandlers,
) => FolderWatcher;

export const watchFolders: WatchFolders = (paths, options, handlers) => {
  const watcher = watch([...paths], {
    ignoreInitial: true,
    ignored: (path: string) => options.ignored(path),
    // Editors save by writing a temporary file and renaming it over the original; `atomic` turns the
    // resulting unlink + add into one change instead of two restarts.
    atomic: true,
  });
  watcher.on('all', (event, path) => {
    if (event === 'add' || event === 'change' || event === 'unlink') handlers.changed(path);
  });
  watcher.on('ready', () => handlers.ready());
  watcher.on('error', (error) => handlers.failed(error instanceof Error ? error : new Error(String(error))));
  return { close: () => watcher.close() };
};
