// Which schedule the agent runs: the fleet's (from the server's welcome or a settings command), with
// every setting given on this machine (flag, env, config file) taking its place.
import { SettingsSchema, type Settings } from '../shared/protocol.js';

export function effectiveSettings(fleet: Settings, local: Partial<Settings> | undefined): Settings {
  // Local values were checked at start (cli/schedule-settings.ts); parse() here is the last guard
  // before the timers, so a bad value can never reach them by another road.
  return SettingsSchema.parse({ ...fleet, ...local });
}
