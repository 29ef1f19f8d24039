// What RT 5's REST 2.0 answers, as far as the connector reads it. Loose on purpose: RT adds
// fields freely; only what we use is checked. Ids arrive as strings or numbers.
import { z } from 'zod';

const id = z.union([z.string(), z.number()]).transform(String);
const text = z
  .string()
  .nullish()
  .transform((v) => v ?? '');

/** `{ type, id, _url }`: how RT points at users, queues, tickets. For users, id is the Name. */
export const RtRefSchema = z.object({ type: z.string(), id });

export const RtCreatedSchema = z.object({ id, type: z.string() });

/** Any record, when only its existence matters. */
export const RtIdSchema = z.object({ id });

/**
 * RT lists an emptied single-value field as [null], and a search answers "" for a record with no
 * custom field at all (an RT without Outpost's fields): read as none.
 */
export const RtCustomFieldValuesSchema = z.preprocess(
  (v) => (v === '' || v === null ? [] : v),
  z.array(
    z.object({
      name: z.string(),
      values: z.array(z.union([z.string(), z.number(), z.null()])).transform((vs) => vs.filter((v) => v !== null).map(String)),
    }),
  ),
);
export type RtCustomFieldValues = z.infer<typeof RtCustomFieldValuesSchema>;

const HyperlinkSchema = z.object({ ref: z.string(), type: z.string().optional(), id: id.optional() });

export const RtTicketSchema = z.object({
  id,
  Subject: text,
  Status: z.string(),
  Priority: z.union([z.string(), z.number()]).transform(Number),
  Created: z.string(),
  LastUpdated: z.string(),
  TimeWorked: z.union([z.string(), z.number()]).transform(Number).optional(),
  Requestor: z.array(RtRefSchema).default([]),
  CustomFields: RtCustomFieldValuesSchema.default([]),
  _hyperlinks: z.array(HyperlinkSchema).optional(),
});
export type RtTicket = z.infer<typeof RtTicketSchema>;

export function rtPageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number(),
    pages: z.number().nullish(),
    per_page: z.number(),
    total: z.number().nullish(),
  });
}

export const RtTransactionSchema = z.object({
  id,
  Type: z.string(),
  Creator: RtRefSchema,
  Created: z.string(),
  TimeTaken: z.union([z.string(), z.number()]).transform(Number).optional(),
  Field: text.optional(),
  OldValue: text.optional(),
  NewValue: text.optional(),
  /** Transaction custom fields: Outpost's note key marks its own replies, comments and worklogs. */
  CustomFields: RtCustomFieldValuesSchema.optional(),
});
export type RtTransaction = z.infer<typeof RtTransactionSchema>;

export const RtAttachmentSchema = z.object({
  id,
  TransactionId: id,
  ContentType: text,
  Filename: text.optional(),
  Content: text.optional(),
});
export type RtAttachment = z.infer<typeof RtAttachmentSchema>;

export const RtUserSchema = z.object({ id, Name: text.optional(), EmailAddress: text.optional(), RealName: text.optional() });

export const RtAssetSchema = z.object({
  id,
  Name: text,
  Description: z.string().optional(),
  CustomFields: RtCustomFieldValuesSchema.default([]),
});
export type RtAsset = z.infer<typeof RtAssetSchema>;

/** A write answers 200 with a list of messages, including refusals ("... isn't a valid status"). */
export const RtMessagesSchema = z.array(z.string());

/** Errors: `{"message": "..."}`. */
export const RtErrorSchema = z.object({ message: z.string() });
