// /api/deployments: deploy a package from the store to a selection of devices or to the devices a
// search finds, now or in a window; follow each device's steps. The command itself goes to each
// agent signed (server/deploy/deployer.ts): at once to those connected, at the next connection to
// the others.
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { DEPLOY_LIMITS } from '../../shared/deploy.js';
import { DeploymentCreateBody, DeploymentListQuery, DeploymentParams } from '../../shared/deploy-http.js';
import { deploymentJson } from '../deploy/json.js';
import type { Store } from '../store/store.js';
import { sendError } from './errors.js';
import { route } from './route.js';

export interface DeploymentRoutesContext {
  store: Store;
  now(): number;
  /** Sends the new deployment's signed commands to the connected targets. */
  dispatchDeployment?: (deploymentId: string, deviceIds: readonly string[]) => Promise<void>;
}

export function deploymentRoutes(app: FastifyInstance, ctx: DeploymentRoutesContext): void {
  route(app, 'GET /api/deployments', { query: DeploymentListQuery, summary: 'Deployments, newest first' }, async ({ query }) => {
    const items = await ctx.store.deploy.listDeployments({
      limit: query.limit,
      ...(query.packageId ? { packageId: query.packageId } : {}),
      ...(query.deviceId ? { deviceId: query.deviceId } : {}),
    });
    return { items: items.map(deploymentJson) };
  });

  route(
    app,
    'GET /api/deployments/:id',
    { params: DeploymentParams, summary: "One deployment: each device's state and steps" },
    async ({ params, reply }) => {
      const detail = await ctx.store.deploy.getDeployment(params.id);
      return detail ? deploymentJson(detail) : sendError(reply, 404, 'E_NOT_FOUND', 'No deployment with this id.');
    },
  );

  route(
    app,
    'POST /api/deployments',
    { body: DeploymentCreateBody, summary: 'Deploy a package to devices (a selection or a search), now or in a window' },
    async ({ body, req, reply, send }) => {
      const pkg = await ctx.store.deploy.getPackage(body.packageId);
      if (!pkg || pkg.retired) return sendError(reply, 404, 'E_NOT_FOUND', 'No package with this id in the store.');
      if (body.ticketId !== undefined && !(await ctx.store.getTicket(body.ticketId))) {
        return sendError(reply, 404, 'E_NOT_FOUND', `No ticket #${body.ticketId}.`);
      }
      const at = ctx.now();
      const deployment = {
        id: randomUUID(),
        packageId: pkg.id,
        createdAt: at,
        createdBy: req.admin?.username ?? 'admin',
        notBefore: body.notBefore ? Date.parse(body.notBefore) : null,
        notAfter: body.notAfter ? Date.parse(body.notAfter) : null,
        ticketId: body.ticketId ?? null,
      };
      const targets =
        'deviceIds' in body.targets
          ? { deviceIds: body.targets.deviceIds }
          : {
              search: {
                ...(body.targets.search.q ? { q: body.targets.search.q } : {}),
                ...(body.targets.search.os ? { platform: body.targets.search.os } : {}),
                ...(body.targets.search.online ? { online: body.targets.search.online === 'true' } : {}),
              },
            };
      const created = await ctx.store.deploy.createDeployment(deployment, targets, DEPLOY_LIMITS.maxTargets);
      if (!created.ok) {
        if (created.reason === 'unknown')
          return sendError(reply, 404, 'E_NOT_FOUND', `No device ${created.deviceId}; nothing was deployed.`);
        if (created.reason === 'none') return sendError(reply, 400, 'E_BAD_REQUEST', 'The search finds no device; nothing was deployed.');
        return sendError(reply, 400, 'E_BAD_REQUEST', `A deployment goes to at most ${DEPLOY_LIMITS.maxTargets} devices.`);
      }
      await ctx.dispatchDeployment?.(deployment.id, created.deviceIds);
      return send(201, deploymentJson((await ctx.store.deploy.getDeployment(deployment.id))!));
    },
  );
}
