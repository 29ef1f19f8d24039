// The Autotask setup checked against what the connector needs: the zone and the API user's
// credentials (ZoneInformation, then ThresholdInformation), and the ticket UDF that holds
// Outpost's key (Tickets/entityInformation/userDefinedFields). One actionable line per problem.
import { z } from 'zod';
import { isDeskError } from '../errors.js';
import type { DeskProblem } from '../types.js';
import type { AutotaskClient } from './client.js';
import type { AutotaskConfig } from './config.js';

const UdfsSchema = z.object({ fields: z.array(z.object({ name: z.string() })).default([]) });
const UDF_ADMIN = 'Admin > Extensions & Integrations > Other Extensions & Tools > User-Defined Fields > Tickets';

/** Rejects only when Autotask cannot be asked at all (unreachable): the engine reports that error. */
export async function autotaskPreflight(client: AutotaskClient, config: AutotaskConfig): Promise<DeskProblem[]> {
  try {
    await client.checkThreshold();
  } catch (err) {
    if (!isDeskError(err)) throw err;
    if (err.code === 'E_DESK_AUTH') {
      return [
        {
          check: 'connection',
          severity: 'blocking',
          message: `Autotask refuses API user '${config.user}' (${err.message}): check the user name, its secret and the integration code (Admin > Resources > the API user > Security).`,
        },
      ];
    }
    if (err.code === 'E_DESK_NOT_FOUND' || err.code === 'E_DESK_BAD_RESPONSE' || err.code === 'E_DESK_REJECTED') {
      return [
        {
          check: 'zone',
          severity: 'blocking',
          message: `Autotask's zone for '${config.user}' was not found (${err.message}): check the user name, or set the zone URL (zoneUrl) to your zone's REST address.`,
        },
      ];
    }
    throw err;
  }
  if (!config.ticketKeyUdf) {
    return [
      {
        check: 'fields',
        severity: 'degraded',
        message: `No ticket UDF holds Outpost's key: a retried create may double a ticket; create a text UDF on tickets (${UDF_ADMIN}) and set ticketKeyUdf to its name.`,
      },
    ];
  }
  const udfs = await client.get('/v1.0/Tickets/entityInformation/userDefinedFields', UdfsSchema);
  if (udfs.fields.some((f) => f.name === config.ticketKeyUdf)) return [];
  return [
    {
      check: 'fields',
      severity: 'degraded',
      message: `Ticket UDF '${config.ticketKeyUdf}' does not exist in Autotask: tickets still reach it, but a retry may double one; create it as a text UDF (${UDF_ADMIN}) or set ticketKeyUdf to an existing one.`,
    },
  ];
}
