// What the fault tests count on the server once everything has settled: one history row per real
// change of a package, one ticket per ticket raised.
import type { ServerProc } from './outpost.js';

interface ChangeRow {
  added: { name: string }[];
  removed: { name: string }[];
}

/** How many history rows added and removed each named package. */
export async function packageHistory(
  server: Pick<ServerProc, 'api'>,
  deviceId: string,
  names: string[],
): Promise<Record<string, { added: number; removed: number }>> {
  const { body } = await server.api<{ items: ChangeRow[] }>(`/api/devices/${deviceId}/changes?limit=1000`);
  return Object.fromEntries(
    names.map((name) => [
      name,
      {
        added: body.items.filter((c) => c.added.some((s) => s.name === name)).length,
        removed: body.items.filter((c) => c.removed.some((s) => s.name === name)).length,
      },
    ]),
  );
}

/** How many tickets the server stores under each subject for the device. */
export async function ticketsBySubject(server: Pick<ServerProc, 'api'>, deviceId: string): Promise<Map<string, number>> {
  const { body } = await server.api<{ items: { subject: string }[] }>(`/api/tickets?device=${deviceId}&limit=1000`);
  const counts = new Map<string, number>();
  for (const t of body.items) counts.set(t.subject, (counts.get(t.subject) ?? 0) + 1);
  return counts;
}
