// The RT rights the connector's API user needs, granted globally (Admin > Global > User Rights)
// or per queue/catalog. README.md lists the same; the test harness grants exactly these.
export const RT_API_RIGHTS = [
  // tickets in the queues Outpost uses
  'SeeQueue',
  'ShowTicket',
  'CreateTicket',
  'ModifyTicket',
  // replies (mailed to the requester) and internal comments, and reading comments back
  'ReplyToTicket',
  'CommentOnTicket',
  'ShowTicketComments',
  // Outpost's custom fields on tickets, transactions and assets
  'SeeCustomField',
  'ModifyCustomField',
  'SetInitialCustomField',
  // assets in the catalog
  'ShowCatalog',
  'ShowAsset',
  'CreateAsset',
  'ModifyAsset',
  // find requesters by email and create them
  'AdminUsers',
  // let the API user manage its own auth token
  'ManageAuthTokens',
] as const;
