import { startHeapCompactor, tuneHeapForIdle } from '../../agent/idle-memory.js';
import { defaultStateDir } from '../../agent/paths.js';
import { agentSecrets } from '../agent-secrets.js';
import { AGENT_SETTINGS, resolveSettings } from '../config.js';
import { AGENT_SCHEDULE_SETTINGS, scheduleOverrides } from '../schedule-settings.js';
import { stopOnSignals } from '../lifecycle.js';
import { createLineLogger } from '../../shared/line-logger.js';

/** `compact` comes from tuneHeapForIdle(), called by cli/main.ts before anything else loads. */
export async function agentCommand(flags: Record<string, unknown>, compact = tuneHeapForIdle()): Promise<void> {
  const { createAgent } = await import('../../agent/create.js');
  const settings = resolveSettings(AGENT_SETTINGS, flags);
  const schedule = scheduleOverrides(resolveSettings(AGENT_SCHEDULE_SETTINGS, flags));
  const secrets = agentSecrets(settings, flags, (line) => console.error(line));
  // pino's modules would be the largest part of the idle agent that does not do its work.
  const log = createLineLogger();
  const stateDir = settings.state ?? defaultStateDir();
  const agent = createAgent({
    stateDir,
    serverUrl: settings.server,
    ...(secrets.token ? { enrolmentToken: secrets.token } : {}),
    ...(secrets.ca ? { ca: secrets.ca } : {}),
    settings: schedule,
    log,
  });
  await agent.start();
  const stopCompactor = startHeapCompactor({ compact });
  log.info({ stateDir, server: settings.server }, 'agent started');
  stopOnSignals(async () => {
    stopCompactor();
    await agent.stop();
  });
}
