// RT's side of the console's technicians and queues: privileged users may sign in to the Outpost
// console with their RT password, and IT picks one of RT's queues for a ticket raised from the console.
import { z } from 'zod';
import type { Logger } from '../../../shared/log.js';
import type { DeskQueues, DeskTechnician } from '../connector.js';
import { DeskError } from '../errors.js';
import { RtClient } from './client.js';
import type { RtConfig } from './config.js';

const flag = z.union([z.string(), z.number()]).transform((v) => String(v) === '1');
const RtUserRecordSchema = z.object({
  Name: z.string(),
  EmailAddress: z.string().nullish(),
  RealName: z.string().nullish(),
  Privileged: flag.optional(),
  Disabled: flag.optional(),
});
const RtQueueNameSchema = z.object({ Name: z.string().optional(), id: z.union([z.string(), z.number()]).transform(String) });
/** RT names as one path segment: no slashes or control characters, not blank, at most 200 characters. */
function isRtUserName(name: string): boolean {
  return (
    name.trim() === name && name.length > 0 && name.length <= 200 && !/[/\\]/.test(name) && ![...name].some((c) => c.charCodeAt(0) < 32)
  );
}
const MAX_QUEUE_PAGES = 10;

export class RtTechnicians {
  constructor(
    private readonly client: RtClient,
    private readonly config: RtConfig,
    private readonly log: Logger,
    private readonly fetchImpl?: typeof fetch,
  ) {}

  async listQueues(): Promise<DeskQueues> {
    const names: string[] = [];
    for (let page = 1; page <= MAX_QUEUE_PAGES; page++) {
      const answer = await this.client.page('/queues/all', RtQueueNameSchema, { fields: 'Name', per_page: '100', page: String(page) });
      for (const q of answer.items) if (q.Name) names.push(q.Name);
      if (page >= answer.pages) break;
    }
    return { names: names.sort((a, b) => a.localeCompare(b)), default: this.config.queue };
  }

  async find(username: string): Promise<DeskTechnician | null> {
    if (!isRtUserName(username)) return null;
    try {
      const user = await this.client.get(`/user/${encodeURIComponent(username)}`, RtUserRecordSchema);
      return technician(user);
    } catch (err) {
      if (err instanceof DeskError && err.code === 'E_DESK_NOT_FOUND') return null;
      throw err;
    }
  }

  /** Reads the user's own record with their own credentials: RT checks the password. */
  async verify(username: string, password: string): Promise<boolean> {
    if (!isRtUserName(username) || password.length === 0) return false;
    const asUser = new RtClient({ ...this.config, user: username, auth: { kind: 'basic', password } }, this.log, this.fetchImpl);
    try {
      const user = await asUser.get(`/user/${encodeURIComponent(username)}`, RtUserRecordSchema);
      return technician(user) !== null && user.Name.toLowerCase() === username.toLowerCase();
    } catch (err) {
      if (err instanceof DeskError && (err.code === 'E_DESK_AUTH' || err.code === 'E_DESK_NOT_FOUND')) return false;
      throw err;
    }
  }
}

function technician(user: z.output<typeof RtUserRecordSchema>): DeskTechnician | null {
  if (!user.Privileged || user.Disabled) return null;
  return {
    username: user.Name,
    ...(user.RealName ? { name: user.RealName } : {}),
    ...(user.EmailAddress ? { email: user.EmailAddress } : {}),
  };
}
