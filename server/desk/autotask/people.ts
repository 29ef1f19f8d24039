// Who is who in Autotask: the API user's own resource (whose changes are Outpost's echoes) and
// the contact a ticket is raised for (found by email, else created under the ticket's company).
import { DeskError } from '../errors.js';
import type { AutotaskClient } from './client.js';
import type { AutotaskConfig } from './config.js';
import { ContactSchema, ResourceSchema } from './schemas.js';

export class AutotaskPeople {
  private meId: Promise<number> | null = null;

  constructor(
    private readonly client: AutotaskClient,
    private readonly config: AutotaskConfig,
  ) {}

  /** The API user's own resource id, looked up once (again after a failed lookup). */
  me(): Promise<number> {
    this.meId ??= this.client
      .query(
        'Resources',
        [
          {
            op: 'or',
            items: [
              { op: 'eq', field: 'userName', value: this.config.user },
              { op: 'eq', field: 'email', value: this.config.user },
            ],
          },
        ],
        ResourceSchema,
        1,
      )
      .then((r) => {
        if (!r[0]) throw new DeskError('E_DESK_AUTH', `Autotask has no resource for the API user ${this.config.user}`);
        return r[0].id;
      });
    this.meId.catch(() => (this.meId = null));
    return this.meId;
  }

  async contactFor(email: string, name: string | undefined, companyId: number): Promise<number> {
    const found = await this.client.query('Contacts', [{ op: 'eq', field: 'emailAddress', value: email }], ContactSchema, 1);
    if (found[0]) return found[0].id;
    const [first, ...rest] = (name ?? email.split('@')[0] ?? email).trim().split(/\s+/);
    // Contacts is a child of Companies: created through the parent's URL.
    return this.client.create(`/v1.0/Companies/${companyId}/Contacts`, {
      companyID: companyId,
      firstName: (first || email).slice(0, 50),
      lastName: (rest.join(' ') || '-').slice(0, 50),
      emailAddress: email,
      isActive: 1,
    });
  }
}
