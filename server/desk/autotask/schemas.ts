// The Autotask REST answers the connector reads (sources in README.md). Loose: Autotask returns
// every field of an entity and adds fields over time; the connector reads only what it uses.
import { z } from 'zod';

const num = z.number().int();
const when = z.string().nullish();

/** GET zoneInformation?user=: where this user's database lives. */
export const ZoneSchema = z.object({
  zoneName: z.string().optional(),
  url: z.string().min(1),
  webUrl: z.string().optional(),
  ci: num.optional(),
});

/** GET ThresholdInformation: the database's hourly allowance and what has been used of it. */
export const ThresholdSchema = z.object({
  externalRequestThreshold: num,
  requestThresholdTimeframe: num,
  currentTimeframeRequestCount: num,
});

export const PageDetailsSchema = z.object({ count: num, requestCount: num.optional(), nextPageUrl: z.string().nullish() });

/** POST create / PATCH update answer the record's id. */
export const ItemIdSchema = z.object({ itemId: num });

export const PicklistFieldsSchema = z.object({
  fields: z.array(
    z.object({
      name: z.string(),
      isPickList: z.boolean().optional(),
      picklistValues: z
        .array(
          z.object({
            value: z.union([z.string(), num]).transform(String),
            label: z.string(),
            isActive: z.boolean().optional(),
            /** A dependent picklist's parent value (a sub-issue type's issue type). */
            parentValue: z.union([z.string(), num]).transform(String).nullish(),
          }),
        )
        .nullish(),
    }),
  ),
});

const udfs = z.array(z.object({ name: z.string(), value: z.string().nullish() })).nullish();

export const TicketSchema = z.object({
  id: num,
  title: z.string().nullish(),
  status: num,
  priority: num.nullish(),
  companyID: num.nullish(),
  contactID: num.nullish(),
  configurationItemID: num.nullish(),
  createDate: when,
  lastActivityDate: when,
  lastActivityResourceID: num.nullish(),
  userDefinedFields: udfs,
});
export type Ticket = z.infer<typeof TicketSchema>;

export const TicketNoteSchema = z.object({
  id: num,
  ticketID: num,
  title: z.string().nullish(),
  description: z.string().nullish(),
  publish: num.nullish(),
  createDateTime: when,
  creatorResourceID: num.nullish(),
  createdByContactID: num.nullish(),
});
export type TicketNote = z.infer<typeof TicketNoteSchema>;

export const TimeEntrySchema = z.object({
  id: num,
  ticketID: num.nullish(),
  internalNotes: z.string().nullish(),
  hoursWorked: z.number().nullish(),
});

export const ConfigurationItemSchema = z
  .object({
    id: num,
    companyID: num.nullish(),
    referenceTitle: z.string().nullish(),
    referenceNumber: z.string().nullish(),
    serialNumber: z.string().nullish(),
    userDefinedFields: udfs,
  })
  .loose();
export type ConfigurationItem = z.infer<typeof ConfigurationItemSchema>;

export const ContactSchema = z.object({
  id: num,
  emailAddress: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
});

export const ResourceSchema = z.object({
  id: num,
  email: z.string().nullish(),
  userName: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
});

/** A filter expression as "Making basic query calls to the REST API" documents it. */
export type Filter =
  | {
      op: 'eq' | 'noteq' | 'gt' | 'gte' | 'lt' | 'lte' | 'beginsWith' | 'endsWith' | 'contains';
      field: string;
      value: string | number | boolean;
      udf?: boolean;
    }
  | { op: 'exist' | 'notExist'; field: string; udf?: boolean }
  | { op: 'in' | 'notIn'; field: string; value: (string | number)[] }
  | { op: 'and' | 'or'; items: Filter[] };
