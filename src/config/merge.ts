// The single place where precedence is decided: flags override the file, the file overrides defaults.

import type { EngineOptions } from '../process/spec.js';
import { DEFAULT_ENGINE_OPTIONS } from '../process/spec.js';
import { SETTINGS, type Settings, type SettingsLayer } from './fields.js';
import { DEFAULT_SETTINGS } from './schema.js';

export function mergeSettings(file: SettingsLayer, flags: SettingsLayer): Settings {
  const merged: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(SETTINGS)) {
    const name = key as keyof Settings;
    merged[key] =
      declaration.kind === 'group'
        ? { ...(DEFAULT_SETTINGS[name] as object), ...(file[name] as object), ...(flags[name] as object) }
        : (flags[name] ?? file[name] ?? DEFAULT_SETTINGS[name]);
  }
  return merged as Settings;
}

export function engineOptions(settings: Settings): EngineOptions {
  return {
    ...DEFAULT_ENGINE_OPTIONS,
    killTimeoutMs: settings.killTimeout,
    scrollback: { maxLines: settings.scrollback.lines, maxBytes: settings.scrollback.bytes },
  };
}
