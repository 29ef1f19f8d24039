// /api/packages: the package store. Admins upload installer files (the body is the file, streamed to
// disk by content hash with an explicit size limit) and define packages over them or over a package
// the OS's own manager installs; everyone signed in reads them.
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { FILE_INSTALLERS, INSTALLER_PLATFORM, PackageInputSchema } from '../../shared/deploy.js';
import { PackageFileQuery, PackageParams } from '../../shared/deploy-http.js';
import { isOutpostError } from '../../shared/errors.js';
import type { PackageFiles } from '../deploy/package-files.js';
import { packageFileJson, packageJson } from '../deploy/json.js';
import type { Store } from '../store/store.js';
import { sendError } from './errors.js';
import { route } from './route.js';

export interface PackageRoutesContext {
  /** The package store changed: connected agents get their self-service catalog again. */
  packagesChanged?(): void;
  /** Queues a run of the desk's package catalog (DeskSyncEngine.requestPackagesSync): a retired package's record is marked soon. */
  requestPackagesSync?(): Promise<boolean | null>;
  store: Store;
  now(): number;
  /** Where installer files live; absent when the server keeps none (then uploads are refused). */
  packageFiles?: PackageFiles;
}

const STATUS = { E_PACKAGE_TOO_LARGE: 413, E_PACKAGE_EMPTY: 400, E_PACKAGE_HASH_MISMATCH: 422 } as const;

export function packageRoutes(app: FastifyInstance, ctx: PackageRoutesContext): void {
  // The upload's body is the file: handed over as a stream (no buffering); the store counts and hashes it.
  void app.register(async (scoped) => {
    scoped.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    route(
      scoped,
      'POST /api/packages/files',
      { query: PackageFileQuery, summary: 'Upload an installer file (the body, application/octet-stream); answers its sha256' },
      async ({ query, req, reply }) => {
        const files = ctx.packageFiles;
        if (!files) return sendError(reply, 503, 'E_BUSY', 'This server keeps no installer files.');
        if (!req.headers['content-type']?.startsWith('application/octet-stream')) {
          return sendError(reply, 415, 'E_BAD_REQUEST', 'Send the file as the body with Content-Type: application/octet-stream.');
        }
        try {
          const stored = await files.put(req.body as Readable, query.sha256);
          const username = req.admin?.username ?? 'admin';
          const record = await ctx.store.deploy.addPackageFile({
            ...stored,
            name: query.name,
            uploadedAt: ctx.now(),
            uploadedBy: username,
          });
          return packageFileJson(record);
        } catch (err) {
          if (isOutpostError(err) && err.code in STATUS) {
            // The rest of a refused body is not read: the connection goes with the answer.
            reply.header('connection', 'close');
            return sendError(reply, STATUS[err.code as keyof typeof STATUS], err.code, err.message);
          }
          throw err;
        }
      },
    );
  });

  route(app, 'GET /api/packages', { summary: 'The package store, newest first' }, async () => ({
    items: (await ctx.store.deploy.listPackages()).map(packageJson),
  }));

  route(app, 'GET /api/packages/:id', { params: PackageParams, summary: 'One package' }, async ({ params, reply }) => {
    const pkg = await ctx.store.deploy.getPackage(params.id);
    return pkg ? packageJson(pkg) : sendError(reply, 404, 'E_NOT_FOUND', 'No package with this id.');
  });

  route(
    app,
    'POST /api/packages',
    { body: PackageInputSchema, summary: 'Define a package: an uploaded file or an OS-manager package, how to install and detect it' },
    async ({ body, req, reply, send }) => {
      const isFile = FILE_INSTALLERS.includes(body.installer);
      if (isFile) {
        const file = await ctx.store.deploy.getPackageFile(body.sha256!);
        if (!file || !(await ctx.packageFiles?.has(body.sha256!))) return sendError(reply, 409, 'E_PACKAGE_FILE_MISSING');
      }
      const pkg = await ctx.store.deploy.addPackage({
        id: randomUUID(),
        name: body.name,
        version: body.version ?? null,
        installer: body.installer,
        fileSha256: isFile ? body.sha256! : null,
        managerPackage: isFile ? null : body.managerPackage!,
        args: body.args,
        detection: body.detection,
        platforms: [INSTALLER_PLATFORM[body.installer]],
        selfService: body.selfService,
        timeoutSeconds: body.timeoutSeconds,
        retries: body.retries,
        createdAt: ctx.now(),
        createdBy: req.admin?.username ?? 'admin',
      });
      ctx.packagesChanged?.();
      return send(201, packageJson(pkg));
    },
  );

  route(
    app,
    'DELETE /api/packages/:id',
    { params: PackageParams, summary: 'Retire a package (deployments under way go on)' },
    async ({ params, reply }) => {
      if (!(await ctx.store.deploy.retirePackage(params.id))) return sendError(reply, 404, 'E_NOT_FOUND', 'No package with this id.');
      ctx.packagesChanged?.();
      // The desk hears of it at the next run; one now rather than at the daily one. A desk that keeps no catalog ignores it.
      await ctx.requestPackagesSync?.().catch(() => null);
      return { ok: true as const };
    },
  );
}
