// The connector's own view of ServiceDesk Plus API v3 bodies (sources in README.md). These are
// not the test oracle: the contract server (test/desk/sdp/) checks calls against ManageEngine's
// documented samples instead. Outputs are loose: SDP adds fields freely.
import { z } from 'zod';

export type SdpFlavour = 'onprem' | 'cloud';

export const SDP_ACCEPT = 'application/vnd.manageengine.sdp.v3+json';
export const SDP_FORM = 'application/x-www-form-urlencoded';

/** The documented root keys differ between ServiceDesk Plus on-premises and Cloud. */
export const SDP_KEYS = {
  onprem: { note: 'note', notes: 'notes', worklog: 'worklog', worklogs: 'worklogs' },
  cloud: { note: 'request_note', notes: 'request_notes', worklog: 'request_worklog', worklogs: 'request_worklogs' },
} as const satisfies Record<SdpFlavour, Record<string, string>>;

const id = z.string().regex(/^\d{1,19}$/, 'must be an SDP id (digits, as a string)');
const named = z.strictObject({ name: z.string().min(1).max(250) });
/** A datetime is sent and returned as milliseconds since the epoch, in a string. */
const millis = z.string().regex(/^\d{1,15}$/, 'must be epoch milliseconds as a string');
const datetimeIn = z.strictObject({ value: millis });
const user = z.union([
  z.strictObject({ id }),
  named,
  z.strictObject({ email_id: z.email() }),
  z.strictObject({ name: z.string(), email_id: z.email() }),
]);

// ---- inputs (input_data) ----------------------------------------------------------------

export const RequestInputSchema = z.strictObject({
  request: z.strictObject({
    subject: z.string().min(1).max(250),
    description: z.string().max(100_000),
    requester: z.union([
      z.strictObject({ id }),
      z.strictObject({ email_id: z.email() }),
      z.strictObject({ email_id: z.email(), name: z.string().min(1) }),
    ]),
    priority: named.optional(),
    category: named.optional(),
    status: named.optional(),
    assets: z.array(z.strictObject({ id })).max(20).optional(),
    /** The site (and, in the MSP edition, the account) the request belongs to. */
    site: named.optional(),
    account: named.optional(),
    udf_fields: z.record(z.string().regex(/^udf_[a-z0-9_]+$/), z.string().max(250)).optional(),
  }),
});

export const RequestUpdateSchema = z.strictObject({ request: z.strictObject({ status: named }) });

const noteBody = z.strictObject({
  description: z.string().min(1).max(100_000),
  show_to_requester: z.boolean(),
  notify_technician: z.boolean().optional(),
  mark_first_response: z.boolean().optional(),
  add_to_linked_requests: z.boolean().optional(),
});
export const NoteInputSchemas = {
  onprem: z.strictObject({ note: noteBody }),
  cloud: z.strictObject({ request_note: noteBody }),
};

const worklogCommon = {
  owner: user,
  description: z.string().max(100_000).optional(),
  start_time: datetimeIn,
  end_time: datetimeIn,
};
export const WorklogInputSchemas = {
  onprem: z.strictObject({
    worklog: z.strictObject({
      ...worklogCommon,
      time_spent: z.strictObject({ hours: z.string().regex(/^\d+$/), minutes: z.string().regex(/^([0-5]?\d)$/) }),
      include_nonoperational_hours: z.boolean().optional(),
    }),
  }),
  cloud: z.strictObject({ request_worklog: z.strictObject({ ...worklogCommon, time_spent: z.strictObject({ value: millis }) }) }),
};

export const WorkstationInputSchema = z.strictObject({
  workstation: z.strictObject({
    name: z.string().min(1).max(250),
    product: named,
    state: named,
    computer_system: z
      .strictObject({
        service_tag: z.string().max(250).optional(),
        system_manufacturer: z.string().max(250).optional(),
        model: z.string().max(250).optional(),
      })
      .optional(),
    operating_system: z.strictObject({ os: z.string().max(250) }).optional(),
    network_adapters: z
      .array(z.strictObject({ mac_address: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/) }))
      .max(64)
      .optional(),
    last_logged_user: z.string().max(250).optional(),
    description: z.string().max(250).optional(),
  }),
});

export const RequesterInputSchema = z.strictObject({
  requester: z.strictObject({ name: z.string().min(1).max(250), email_id: z.email() }),
});

export const SDP_CONDITIONS = [
  'is',
  'is not',
  'greater than',
  'greater or equal',
  'lesser than',
  'lesser or equal',
  'between',
  'not between',
  'starts with',
  'ends with',
  'contains',
  'not contains',
] as const;

export interface SdpCriterion {
  field: string;
  condition: (typeof SDP_CONDITIONS)[number];
  value?: unknown;
  values?: unknown[];
  logical_operator?: 'and' | 'or' | 'AND' | 'OR';
  children?: SdpCriterion[];
}
export const CriterionSchema: z.ZodType<SdpCriterion> = z.lazy(() =>
  z.strictObject({
    field: z.string().min(1),
    condition: z.enum(SDP_CONDITIONS),
    value: z.unknown().optional(),
    values: z.array(z.unknown()).optional(),
    logical_operator: z.enum(['and', 'or', 'AND', 'OR']).optional(),
    children: z.array(CriterionSchema).optional(),
  }),
);

export const ListInputSchema = z.strictObject({
  list_info: z.strictObject({
    row_count: z.union([z.number().int(), z.string().regex(/^\d+$/)]).optional(),
    start_index: z.number().int().min(1).optional(),
    sort_field: z.string().optional(),
    sort_order: z.enum(['asc', 'desc']).optional(),
    get_total_count: z.boolean().optional(),
    search_criteria: z.union([CriterionSchema, z.array(CriterionSchema)]).optional(),
  }),
});
export type ListInput = z.infer<typeof ListInputSchema>;

// ---- outputs ----------------------------------------------------------------------------

const idOut = z.union([z.string(), z.number()]).transform(String);
const datetimeOut = z.object({ value: z.union([z.string(), z.number()]).transform(Number) });
const nameOut = z.object({ name: z.string() }).nullish();
const userOut = z.object({ name: z.string().optional(), email_id: z.string().nullish() }).nullish();

export const ResponseStatusSchema = z.object({
  status_code: z.number(),
  status: z.string(),
  messages: z.array(z.object({ message: z.string().optional(), field: z.string().optional() }).loose()).optional(),
});
/** Single records answer one status; lists answer an array of them. */
export const StatusEnvelopeSchema = z.object({ response_status: z.union([ResponseStatusSchema, z.array(ResponseStatusSchema)]) });

export const ListInfoOutSchema = z.object({
  has_more_rows: z.boolean(),
  start_index: z.number().optional(),
  row_count: z.number().optional(),
});

export const RequestOutSchema = z.object({
  id: idOut,
  subject: z.string().default(''),
  status: z.object({ name: z.string() }),
  priority: nameOut,
  requester: userOut,
  created_time: datetimeOut,
  last_updated_time: datetimeOut.nullish(),
  last_updated_by: userOut,
  udf_fields: z.record(z.string(), z.unknown()).nullish(),
  assets: z.array(z.object({ id: idOut })).nullish(),
});
export type RequestOut = z.infer<typeof RequestOutSchema>;

export const NoteOutSchema = z.object({
  id: idOut,
  description: z.string().default(''),
  show_to_requester: z.boolean(),
  added_time: datetimeOut,
  added_by: userOut,
});
export type NoteOut = z.infer<typeof NoteOutSchema>;

export const WorklogOutSchema = z.object({ id: idOut, description: z.string().nullish() });

export const WorkstationOutSchema = z
  .object({
    id: idOut,
    name: z.string(),
    product: nameOut,
    computer_system: z
      .object({ service_tag: z.string().nullish(), system_manufacturer: z.string().nullish(), model: z.string().nullish() })
      .nullish(),
    operating_system: z.object({ os: z.string().nullish() }).nullish(),
    network_adapters: z.array(z.object({ mac_address: z.string().nullish() })).nullish(),
    last_logged_user: z.string().nullish(),
    description: z.string().nullish(),
    site: nameOut,
    /** Additional fields: `workstation_udf_fields` in the old API; the new per-product API names them udf_<name>. */
    workstation_udf_fields: z.record(z.string(), z.unknown()).nullish(),
    udf_fields: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();
export type WorkstationOut = z.infer<typeof WorkstationOutSchema>;

export const RequesterOutSchema = z.object({
  id: idOut,
  name: z.string(),
  email_id: z.string().nullish(),
  login_name: z.string().nullish(),
});
