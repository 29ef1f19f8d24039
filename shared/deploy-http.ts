// The package store's and deployments' HTTP schemas (paths, queries, bodies); the answer types are in
// shared/deploy-api.ts and the routes in shared/http-api.ts.
import { z } from 'zod';
import { DEPLOY_LIMITS, DEPLOY_STATES, Sha256Schema } from './deploy.js';

const textId = z.string().min(1).max(64);
const when = z.string().datetime({ offset: true, message: 'must be an ISO 8601 time with its offset' });

export const PackageParams = z.object({ id: textId });
export const DeploymentParams = z.object({ id: textId });

/** POST /api/packages/files?name=...&sha256=...: the body is the file itself (application/octet-stream). */
export const PackageFileQuery = z.object({
  /** The file's name as IT knows it (kept for the console and the installer's file name). */
  name: z
    .string()
    .trim()
    .min(1)
    .max(DEPLOY_LIMITS.nameChars)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._+~-]*$/, 'must be a plain file name (letters, digits, . _ + ~ -)'),
  /** When given, the upload is refused (E_PACKAGE_HASH_MISMATCH) unless the bytes have this hash. */
  sha256: Sha256Schema.optional(),
});

/** The devices a deployment goes to: a selection, or a search of the devices list (as it stands now). */
export const DeploymentTargetsSchema = z.union([
  z.object({ deviceIds: z.array(textId).min(1).max(DEPLOY_LIMITS.maxTargets) }).strict(),
  z
    .object({
      search: z
        .object({
          q: z.string().trim().max(200).optional(),
          os: z.enum(['linux', 'darwin', 'windows', 'other']).optional(),
          online: z.enum(['true', 'false']).optional(),
        })
        .strict(),
    })
    .strict(),
]);

export const DeploymentCreateBody = z
  .object({
    packageId: textId,
    targets: DeploymentTargetsSchema,
    /** A window: not before / not after. Absent: now, no end. */
    notBefore: when.optional(),
    notAfter: when.optional(),
    /** The ticket this deployment answers: progress and outcome become its notes, success resolves it. */
    ticketId: z.coerce.number<number>().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict()
  .refine((b) => !b.notBefore || !b.notAfter || Date.parse(b.notBefore) < Date.parse(b.notAfter), {
    message: 'notAfter must be later than notBefore',
    path: ['notAfter'],
  });

export const DeploymentListQuery = z.object({
  packageId: textId.optional(),
  deviceId: textId.optional(),
  limit: z.coerce.number<number>().int().min(1).max(500).default(50),
});

export const DeploymentStateSchema = z.enum(DEPLOY_STATES);
