// "Tell me when IT answers": on by default, with optional quiet hours during which notifications
// wait (the badge still shows). The OS's own Do Not Disturb / Focus applies on top: Electron hands
// the notification to the OS, which holds or silences it as the person set it there.
import { z } from 'zod';
import type { LoginItemFs } from './login-item.js';

const TimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as 18:30');

export const NotificationSettingsSchema = z
  .object({
    enabled: z.boolean(),
    quietHours: z.object({ from: TimeSchema, to: TimeSchema }).strict().nullable(),
  })
  .strict();
export type NotificationSettings = z.infer<typeof NotificationSettingsSchema>;

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = { enabled: true, quietHours: null };

export class NotificationSettingsFile {
  constructor(
    private readonly fs: LoginItemFs,
    /** <userData>/notifications.json */
    private readonly path: string,
  ) {}

  async get(): Promise<NotificationSettings> {
    try {
      return NotificationSettingsSchema.parse(JSON.parse(await this.fs.readFile(this.path)));
    } catch {
      return DEFAULT_NOTIFICATION_SETTINGS;
    }
  }

  async set(settings: NotificationSettings): Promise<NotificationSettings> {
    const valid = NotificationSettingsSchema.parse(settings);
    await this.fs.writeFile(this.path, `${JSON.stringify(valid, null, 2)}\n`);
    return valid;
  }
}

/** Quiet hours in local time; from 22:00 to 07:00 spans midnight. Equal times mean none. */
export function inQuietHours(quiet: NotificationSettings['quietHours'], now: Date): boolean {
  if (!quiet) return false;
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const [from, to, at] = [minutes(quiet.from), minutes(quiet.to), now.getHours() * 60 + now.getMinutes()];
  if (from === to) return false;
  return from < to ? at >= from && at < to : at >= from || at < to;
}
