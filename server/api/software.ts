// /api/software and /api/prohibited: which devices have a package, in which versions, and the
// prohibited-software list. Patterns come from two places: the server's settings (read-only here)
// and the console (kept in the store); both flag packages the same way (../desk/rules/prohibited-list.ts).
import type { FastifyInstance } from 'fastify';
import type { FleetSoftwareJson, SoftwareInstallJson } from '../../shared/http-api.js';
import {
  ExemptionRevokeQuery,
  ProhibitedAddBody,
  ProhibitedRemoveQuery,
  SoftwareDetailQuery,
  SoftwareListQuery,
} from '../../shared/http-schemas.js';
import { PATTERN_LIMITS, prohibitedTest } from '../desk/rules/patterns.js';
import { foldPattern, type ProhibitedList } from '../desk/rules/prohibited-list.js';
import type { FleetSoftware, SoftwareInstall, Store } from '../store/store.js';
import { sendError } from './errors.js';
import { route } from './route.js';

export interface SoftwareRoutesContext {
  store: Store;
  now(): number;
  /** The patterns in force; reloaded here after each console change. */
  prohibited: ProhibitedList;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Exemptions the console lists at most, newest first. */
export const EXEMPTIONS_LISTED = 1000;

function softwareJson(s: FleetSoftware): FleetSoftwareJson {
  return { name: s.name, publisher: s.publisher, devices: s.devices, versions: s.versions, prohibited: s.prohibited };
}

function installJson(i: SoftwareInstall): SoftwareInstallJson {
  return { deviceId: i.deviceId, hostname: i.hostname, online: i.online, version: i.version, source: i.source, lastSeen: iso(i.lastSeen) };
}

export function softwareRoutes(app: FastifyInstance, ctx: SoftwareRoutesContext): void {
  route(app, 'GET /api/software', { query: SoftwareListQuery, summary: 'Software across the fleet, by name' }, async ({ query }) => {
    const page = await ctx.store.listFleetSoftware({
      prohibited: prohibitedTest(ctx.prohibited.inForce()),
      prohibitedOnly: query.prohibited === 'true',
      limit: query.limit,
      offset: query.offset,
      ...(query.q ? { q: query.q } : {}),
    });
    return { items: page.items.map(softwareJson), total: page.total, offset: query.offset, limit: query.limit };
  });

  route(
    app,
    'GET /api/software/detail',
    { query: SoftwareDetailQuery, summary: 'One package: its versions and the devices that have it' },
    async ({ query, reply }) => {
      const detail = await ctx.store.softwareDetail(query.name, { limit: query.limit, offset: query.offset });
      if (!detail) return sendError(reply, 404, 'E_NOT_FOUND', 'No device has a package of this name.');
      return {
        name: detail.name,
        prohibited: prohibitedTest(ctx.prohibited.inForce())(detail.name),
        versions: detail.versions,
        installs: { items: detail.installs.items.map(installJson), total: detail.installs.total, offset: query.offset, limit: query.limit },
      };
    },
  );

  route(app, 'GET /api/prohibited', { summary: 'The prohibited-software list, with devices matching each pattern' }, async () => {
    const listed = ctx.prohibited.listed();
    const patterns = listed.map((p) => p.pattern);
    const counts = await ctx.store.prohibitedDeviceCounts(
      patterns.map((p) => prohibitedTest([p])),
      prohibitedTest(patterns),
    );
    return { items: listed.map((p, i) => ({ ...p, devices: counts[i] ?? 0 })) };
  });

  route(
    app,
    'POST /api/prohibited',
    { body: ProhibitedAddBody, summary: 'Add a pattern to the prohibited list' },
    async ({ body, reply, send }) => {
      const listed = ctx.prohibited.listed();
      const same = listed.find((p) => foldPattern(p.pattern) === foldPattern(body.pattern));
      if (same) {
        const where = same.source === 'config' ? "in the server's settings" : 'on the list';
        return sendError(reply, 409, 'E_CONFLICT', `The pattern ${JSON.stringify(same.pattern)} is already ${where}.`);
      }
      if (listed.length >= PATTERN_LIMITS.patterns) {
        return sendError(reply, 409, 'E_CONFLICT', `The prohibited list holds ${PATTERN_LIMITS.patterns} patterns, the most it may.`);
      }
      if (!(await ctx.store.addProhibited(body.pattern, ctx.now()))) {
        return sendError(reply, 409, 'E_CONFLICT', `The pattern ${JSON.stringify(body.pattern)} is already on the list.`);
      }
      await ctx.prohibited.refresh();
      const [devices] = await ctx.store.prohibitedDeviceCounts([prohibitedTest([body.pattern])]);
      return send(201, { pattern: body.pattern, source: 'console', devices: devices ?? 0 });
    },
  );

  route(
    app,
    'DELETE /api/prohibited',
    { query: ProhibitedRemoveQuery, summary: 'Remove a pattern the console added' },
    async ({ query, reply }) => {
      if (await ctx.store.removeProhibited(query.pattern)) {
        await ctx.prohibited.refresh();
        return { ok: true };
      }
      if (ctx.prohibited.isFromConfig(query.pattern)) {
        return sendError(reply, 409, 'E_CONFLICT', "The pattern comes from the server's settings; change it there.");
      }
      return sendError(reply, 404, 'E_NOT_FOUND', 'No such pattern on the prohibited list.');
    },
  );

  route(
    app,
    'GET /api/prohibited/exemptions',
    { summary: 'Devices IT allowed to keep software the prohibited list names (approved exception requests)' },
    async () => {
      const items = await ctx.store.softwareRequests.listExemptions(EXEMPTIONS_LISTED);
      return { items: items.map((e) => ({ ...e, createdAt: iso(e.createdAt) })) };
    },
  );

  route(
    app,
    'DELETE /api/prohibited/exemptions',
    { query: ExemptionRevokeQuery, summary: "Take back a device's exemption: the prohibited list flags it again" },
    async ({ query, reply }) => {
      if (await ctx.store.softwareRequests.revokeExemption(query.deviceId, query.name)) return { ok: true };
      return sendError(reply, 404, 'E_NOT_FOUND', 'That device has no exemption for that name.');
    },
  );
}
