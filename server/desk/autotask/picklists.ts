// Picklist values by label: each Autotask database numbers statuses, priorities and note publish
// levels its own way, so the numbers are read once from entityInformation/fields.
import { DeskError } from '../errors.js';
import type { AutotaskClient } from './client.js';
import { PicklistFieldsSchema } from './schemas.js';

type Lists = Map<string, { byLabel: Map<string, number>; byValue: Map<number, string>; byParent: Map<string, Map<string, number>> }>;

export class Picklists {
  private readonly loaded = new Map<string, Promise<Lists>>();

  constructor(private readonly client: AutotaskClient) {}

  private lists(entity: string): Promise<Lists> {
    let p = this.loaded.get(entity);
    if (!p) {
      p = this.load(entity);
      this.loaded.set(entity, p);
      // A failed read is asked again next time rather than remembered.
      p.catch(() => this.loaded.delete(entity));
    }
    return p;
  }

  private async load(entity: string): Promise<Lists> {
    const { fields } = await this.client.get(`/v1.0/${entity}/entityInformation/fields`, PicklistFieldsSchema);
    const out: Lists = new Map();
    for (const f of fields) {
      if (!f.isPickList || !f.picklistValues) continue;
      const active = f.picklistValues.filter((v) => v.isActive !== false);
      out.set(f.name.toLowerCase(), {
        byLabel: new Map(active.map((v) => [v.label.toLowerCase(), Number(v.value)])),
        byValue: new Map(f.picklistValues.map((v) => [Number(v.value), v.label])),
        byParent: byParent(active),
      });
    }
    return out;
  }

  /**
   * The number for `label`; E_DESK_REJECTED naming the labels Autotask has when it is not one. `parent`:
   * the value of the parent picklist (a sub-issue type's issue type), whose children alone are searched.
   */
  async value(entity: string, field: string, label: string, parent?: number): Promise<number> {
    const list = (await this.lists(entity)).get(field.toLowerCase());
    const labels = parent === undefined ? list?.byLabel : list?.byParent.get(String(parent));
    const v = labels?.get(label.toLowerCase());
    if (v === undefined) {
      const known = labels ? [...labels.keys()].join(', ') : 'none';
      throw new DeskError('E_DESK_REJECTED', `Autotask ${entity}.${field} has no value labelled "${label}" (active: ${known})`);
    }
    return v;
  }

  async label(entity: string, field: string, value: number | null | undefined): Promise<string | undefined> {
    if (value === null || value === undefined) return undefined;
    return (await this.lists(entity)).get(field.toLowerCase())?.byValue.get(value);
  }
}

/** Labels of a dependent picklist under each parent value (parentValue in entityInformation/fields). */
function byParent(values: { value: string; label: string; parentValue?: string | null | undefined }[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const v of values) {
    if (v.parentValue === undefined || v.parentValue === null || v.parentValue === '') continue;
    const labels = out.get(v.parentValue) ?? new Map<string, number>();
    labels.set(v.label.toLowerCase(), Number(v.value));
    out.set(v.parentValue, labels);
  }
  return out;
}
