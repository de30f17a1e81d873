// The aggregating proxy's entry point into recording: a VconRecording from the `vcon:` section.
import type { ProxyConfig } from '../config/schema.js';
import { log } from '../log.js';
import type { VconRecording } from './recording.js';

/** The proxy's recording, started (crash leftovers delivered, spool retried); undefined without `vcon:`. */
export async function startRecording(config: ProxyConfig): Promise<VconRecording | undefined> {
  if (!config.vcon) return undefined;
  // Imported only when recording: a proxy without `vcon:` loads none of it.
  const [{ recordingOptionsFromConfig }, { VconRecording }] = await Promise.all([import('./options.js'), import('./recording.js')]);
  const options = recordingOptionsFromConfig(config.vcon, config.server.name, config.upstreams.map((upstream) => upstream.name));
  const recording = new VconRecording(options, log);
  try {
    await recording.start();
    // Said at warn level: recording every message is not something to find out later.
    log.warn(
      `recording every session (each message, both ways) as a vCon into ${options.dir}${options.conserver ? ` and ${new URL(options.conserver.url).origin}` : ''}: ` +
        `the \`vcon:\` section of ${config.file}; \`vcon.enabled: false\` (or a config without it) records nothing`,
    );
  } catch (error) {
    // A folder that cannot be written is logged, not fatal: the proxy keeps serving.
    log.error(`vCon folder ${options.dir} is not usable, sessions are not being recorded: ${(error as Error).message}`);
  }
  // Told early, not at the first session's end; vCons wait in the spool meanwhile.
  void recording.conserver?.healthCheck().then((healthy) => healthy || log.warn('the conserver does not answer its health check: vCons are spooled until it does'));
  return recording;
}
