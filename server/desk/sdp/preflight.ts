// The ServiceDesk Plus setup checked against what the connector needs: the technician key (or
// Cloud's OAuth token) by the documented request list, and the request additional field that
// holds Outpost's key by a search on it (the documented `udf_fields.<name>` criterion), which
// SDP refuses for a field it does not have. One actionable line per problem.
import { isDeskError } from '../errors.js';
import type { DeskProblem } from '../types.js';
import type { SdpClient } from './client.js';
import type { SdpConfig } from './config.js';
import { RequestOutSchema } from './shapes.js';

const REQUESTS = '/api/v3/requests';
const ADD_FIELD = 'Admin > Customization > Request > Additional Fields: a single-line field';

/** Rejects only when SDP cannot be asked at all (unreachable): the engine reports that error. */
export async function sdpPreflight(client: SdpClient, config: SdpConfig): Promise<DeskProblem[]> {
  const credential = config.flavour === 'cloud' ? 'the Zoho OAuth access token' : `technician ${config.technician}'s API key`;
  try {
    await client.list(REQUESTS, 'requests', RequestOutSchema, { list_info: { row_count: 1 } });
  } catch (err) {
    if (!isDeskError(err) || err.code !== 'E_DESK_AUTH') throw err;
    const fix =
      config.flavour === 'cloud'
        ? 'make a new token with the requests, assets and users scopes'
        : `generate a key for ${config.technician} (Admin > Technicians > ${config.technician} > Generate API key) and put it in the desk secret`;
    return [{ check: 'connection', severity: 'blocking', message: `ServiceDesk Plus refuses ${credential} (${err.message}): ${fix}.` }];
  }
  if (!config.requestKeyField) {
    return [
      {
        check: 'fields',
        severity: 'degraded',
        message: `No request additional field holds Outpost's key: a retried create may double a request; add one (${ADD_FIELD}) and set requestKeyField to its API name (udf_sline_...).`,
      },
    ];
  }
  try {
    const criteria = { field: `udf_fields.${config.requestKeyField}`, condition: 'is' as const, value: 'outpost-preflight' };
    await client.list(REQUESTS, 'requests', RequestOutSchema, { list_info: { row_count: 1, search_criteria: criteria } });
    return [];
  } catch (err) {
    if (!isDeskError(err) || err.code !== 'E_DESK_REJECTED') throw err;
    return [
      {
        check: 'fields',
        severity: 'degraded',
        message: `ServiceDesk Plus has no request additional field '${config.requestKeyField}' (${err.message}): requests still reach it, but a retry may double one; add it (${ADD_FIELD}) or set requestKeyField to an existing field's API name.`,
      },
    ];
  }
}
