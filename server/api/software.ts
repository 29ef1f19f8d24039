// /api/software and /api/prohibited: which devices have a package, in which versions, and the
// prohibited-software list. Patterns come from two places: the server's settings (read-only here)
// and the console (kept in the store); both flag packages the same way (../desk/rules/prohibited-list.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { FleetSoftwareJson, Page, ProhibitedPatternJson, SoftwareDetailJson, SoftwareInstallJson } from '../../shared/http-api.js';
import { isUselessPattern, PATTERN_LIMITS, prohibitedTest } from '../desk/rules/patterns.js';
import { foldPattern, type ProhibitedList } from '../desk/rules/prohibited-list.js';
import type { FleetSoftware, SoftwareInstall, Store } from '../store/store.js';
import { sendError } from './errors.js';
import { parse } from './parse.js';

export interface SoftwareRoutesContext {
  store: Store;
  now(): number;
  /** The patterns in force; reloaded here after each console change. */
  prohibited: ProhibitedList;
}

const PAGE = { defaultLimit: 50, maxLimit: 500 } as const;
const limit = z.coerce.number().int().min(1).max(PAGE.maxLimit).default(PAGE.defaultLimit);
const offset = z.coerce.number().int().min(0).max(10_000_000).default(0);

const ListQuery = z.object({
  q: z.string().trim().max(200).optional(),
  prohibited: z.literal('true').optional(),
  limit,
  offset,
});
const DetailQuery = z.object({ name: z.string().min(1).max(PATTERN_LIMITS.nameLength), limit, offset });

/** The rules AssetEventRulesSchema applies to a settings pattern, after trimming. */
const Pattern = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(PATTERN_LIMITS.patternLength)
  .refine((p) => !isUselessPattern(p), 'must hold more than wildcards');
const AddBody = z.object({ pattern: Pattern }).strict();
const RemoveQuery = z.object({ pattern: z.string().trim().min(1).max(PATTERN_LIMITS.patternLength) });

const iso = (ms: number) => new Date(ms).toISOString();

function softwareJson(s: FleetSoftware): FleetSoftwareJson {
  return { name: s.name, publisher: s.publisher, devices: s.devices, versions: s.versions, prohibited: s.prohibited };
}

function installJson(i: SoftwareInstall): SoftwareInstallJson {
  return { deviceId: i.deviceId, hostname: i.hostname, online: i.online, version: i.version, source: i.source, lastSeen: iso(i.lastSeen) };
}

export function softwareRoutes(app: FastifyInstance, ctx: SoftwareRoutesContext): void {
  app.get('/api/software', async (req, reply) => {
    const query = parse(ListQuery, req.query, reply, 'query parameter');
    if (!query) return reply;
    const page = await ctx.store.listFleetSoftware({
      prohibited: prohibitedTest(ctx.prohibited.inForce()),
      prohibitedOnly: query.prohibited === 'true',
      limit: query.limit,
      offset: query.offset,
      ...(query.q ? { q: query.q } : {}),
    });
    const body: Page<FleetSoftwareJson> = {
      items: page.items.map(softwareJson),
      total: page.total,
      offset: query.offset,
      limit: query.limit,
    };
    return body;
  });

  app.get('/api/software/detail', async (req, reply) => {
    const query = parse(DetailQuery, req.query, reply, 'query parameter');
    if (!query) return reply;
    const detail = await ctx.store.softwareDetail(query.name, { limit: query.limit, offset: query.offset });
    if (!detail) return sendError(reply, 404, 'E_NOT_FOUND', 'No device has a package of this name.');
    const body: SoftwareDetailJson = {
      name: detail.name,
      prohibited: prohibitedTest(ctx.prohibited.inForce())(detail.name),
      versions: detail.versions,
      installs: { items: detail.installs.items.map(installJson), total: detail.installs.total, offset: query.offset, limit: query.limit },
    };
    return body;
  });

  app.get('/api/prohibited', async () => {
    const listed = ctx.prohibited.listed();
    const patterns = listed.map((p) => p.pattern);
    const counts = await ctx.store.prohibitedDeviceCounts(
      patterns.map((p) => prohibitedTest([p])),
      prohibitedTest(patterns),
    );
    const items: ProhibitedPatternJson[] = listed.map((p, i) => ({ ...p, devices: counts[i] ?? 0 }));
    return { items };
  });

  app.post('/api/prohibited', async (req, reply) => {
    const body = parse(AddBody, req.body, reply, 'body field');
    if (!body) return reply;
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
    const created: ProhibitedPatternJson = { pattern: body.pattern, source: 'console', devices: devices ?? 0 };
    return reply.code(201).send(created);
  });

  app.delete('/api/prohibited', async (req, reply) => {
    const query = parse(RemoveQuery, req.query, reply, 'query parameter');
    if (!query) return reply;
    if (await ctx.store.removeProhibited(query.pattern)) {
      await ctx.prohibited.refresh();
      return { ok: true };
    }
    if (ctx.prohibited.isFromConfig(query.pattern)) {
      return sendError(reply, 409, 'E_CONFLICT', "The pattern comes from the server's settings; change it there.");
    }
    return sendError(reply, 404, 'E_NOT_FOUND', 'No such pattern on the prohibited list.');
  });
}
