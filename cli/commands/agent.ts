import { createAgent } from '../../agent/create.js';
import { defaultStateDir } from '../../agent/paths.js';
import { agentSecrets } from '../agent-secrets.js';
import { AGENT_SETTINGS, resolveSettings } from '../config.js';
import { AGENT_SCHEDULE_SETTINGS, scheduleOverrides } from '../schedule-settings.js';
import { stopOnSignals } from '../lifecycle.js';
import { createLogger } from '../../shared/logger.js';

export async function agentCommand(flags: Record<string, unknown>): Promise<void> {
  const settings = resolveSettings(AGENT_SETTINGS, flags);
  const schedule = scheduleOverrides(resolveSettings(AGENT_SCHEDULE_SETTINGS, flags));
  const secrets = agentSecrets(settings, flags, (line) => console.error(line));
  const log = createLogger();
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
  log.info({ stateDir, server: settings.server }, 'agent started');
  stopOnSignals(() => agent.stop());
}
