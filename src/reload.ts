// Reloading the config while the proxy runs: read and validate the file again; if it is
// invalid, log every problem and keep the running config; else hand the difference to the
// proxy to apply. Reloads never overlap: triggers that arrive during one (a SIGHUP storm, an
// editor's burst of saves) coalesce into a single reload after it.
import { ConfigError, formatProblems, loadConfig } from './config/load.js';
import { describeDiff, diffConfigs, isEmptyDiff, type ConfigDiff } from './config/diff.js';
import type { ProxyConfig } from './config/schema.js';
import { hideInLogs, log } from './log.js';
import { configSecrets } from './logSecrets.js';

export type ReloadOutcome = { ok: true; summary: string; needsRestart: string[] } | { ok: false; problems: string };

export interface ReloaderOptions {
  /** What the command line overrides (transport, host, port): applied to every reloaded config too. */
  overrides?: (config: ProxyConfig) => void;
  apply(next: ProxyConfig, diff: ConfigDiff): Promise<void>;
}

export class Reloader {
  private running?: Promise<ReloadOutcome>;
  private queued?: Promise<ReloadOutcome>;

  constructor(
    private current: ProxyConfig,
    private readonly options: ReloaderOptions,
  ) {}

  get config(): ProxyConfig {
    return this.current;
  }

  /** Reloads now, or once the reload under way is done (all triggers meanwhile share that one). */
  reload(trigger: string): Promise<ReloadOutcome> {
    if (!this.running) {
      this.running = this.run(trigger).finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.reload(trigger);
    });
    return this.queued;
  }

  private async run(trigger: string): Promise<ReloadOutcome> {
    let next: ProxyConfig;
    try {
      next = loadConfig(this.current.file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const problems = formatProblems(error.problems);
      log.error(`reload (${trigger}): the config is invalid, still running the previous one:\n${problems}`);
      return { ok: false, problems };
    }
    this.options.overrides?.(next);
    // Credentials the new config brings are kept out of every log line from now on (log.ts).
    hideInLogs(configSecrets(next));
    const diff = diffConfigs(this.current, next);
    if (isEmptyDiff(diff)) {
      log.info(`reload (${trigger}): no changes`);
      return { ok: true, summary: 'no changes', needsRestart: [] };
    }
    const summary = describeDiff(diff);
    log.info(`reload (${trigger}): ${summary}`);
    for (const key of diff.needsRestart) log.warn(`reload: ${key} changed; it takes effect when mcproxy restarts`);
    const previous = this.current;
    this.current = next;
    try {
      await this.options.apply(next, diff);
    } catch (error) {
      this.current = previous;
      throw error;
    }
    return { ok: true, summary, needsRestart: diff.needsRestart };
  }
}
