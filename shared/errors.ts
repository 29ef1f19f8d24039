// Stable error codes. Messages may be reworded; codes never change meaning once released.

export const ERROR_CODES = {
  // Frames and messages
  E_BAD_JSON: 'The frame is not valid JSON.',
  E_BAD_MESSAGE: 'The message does not match its schema.',
  E_UNKNOWN_TYPE: 'The message type is not known.',
  E_FRAME_TOO_LARGE: 'The frame is larger than the limit.',
  E_PROTOCOL_VERSION: 'The protocol version is not supported.',
  E_NOT_AUTHENTICATED: 'The first message must be hello or enrol.',
  E_ALREADY_AUTHENTICATED: 'This connection is already authenticated.',
  // Credentials
  E_AUTH: 'The device id or secret is wrong.',
  E_BAD_TOKEN: 'The enrolment token is unknown, expired or used up.',
  E_UNAUTHORIZED: 'A valid admin token is required.',
  // Web console sign-in
  E_BAD_CREDENTIALS: 'The username or password is wrong.',
  E_CSRF: "The request lacks this session's x-csrf-token header, or comes from another site.",
  E_RATE_LIMITED: 'Too many attempts or too much written in a short time; wait and try again.',
  E_ACCOUNT_LOCKED: 'Too many failed sign-ins for this username; wait and try again.',
  E_WEAK_PASSWORD: 'The password must be 12 to 1024 characters long.',
  E_SEAT_LIMIT: 'Every console seat for desk technicians is taken; an admin can raise the seat limit or remove a technician.',
  // Delivery
  E_SEQ_REPLAYED: 'Items at or below the last applied seq were skipped.',
  E_SEQ_ORDER: 'Items in a batch must have strictly increasing seq.',
  E_BATCH_TOO_LARGE: 'The batch holds more items than the limit.',
  E_DIGEST_MISMATCH: 'The snapshot digest does not match; a full snapshot is needed.',
  E_NO_BASELINE: 'A delta arrived before any full snapshot; a full snapshot is needed.',
  E_PART_SEQUENCE: 'A snapshot part does not belong to the snapshot being received; it was not applied.',
  E_SNAPSHOT_LIMIT: 'The delta would take the snapshot past a size limit (software, network or users); it was not applied.',
  // Tickets and worklogs
  E_UNKNOWN_TICKET: 'No ticket has this number or reference.',
  // Local state
  E_OUTBOX_CORRUPT: 'An outbox row could not be read and was set aside.',
  E_DISK_FULL: "This computer's disk is full, so nothing was saved. Free some space and try again.",
  // Local API
  E_UNKNOWN_METHOD: 'The method is not known.',
  E_TOO_LARGE: 'The request is larger than the limit.',
  E_AGENT_UNREACHABLE: 'No agent answers on the local socket.',
  E_NOT_LOGGED_ON: 'You are not a logged-on user of this machine.',
  E_CONFLICT: 'The request does not fit the current state (e.g. a remote session is already running).',
  E_FORBIDDEN: 'Only support staff (the admin token) may do this.',
  // HTTP API and CLI
  E_DEVICE_OFFLINE: 'The device is not connected.',
  E_NOT_FOUND: 'No such resource.',
  E_BAD_REQUEST: 'The request is not valid.',
  E_CONFIG: 'A setting is not valid.',
  E_INTERNAL: 'Internal error.',
  E_BUSY: 'The server is at its limit for this kind of request; try again shortly.',
  // Software deployment (issue 16)
  E_PACKAGE_TOO_LARGE: 'The installer file is larger than the package store takes.',
  E_PACKAGE_EMPTY: 'The installer file is empty.',
  E_PACKAGE_HASH_MISMATCH: "The file's sha256 is not the one named; it was refused and nothing was kept or installed.",
  E_PACKAGE_FILE_MISSING: 'No uploaded file has this sha256; upload it first (POST /api/packages/files).',
  E_DEPLOY_SIGNATURE: "The deployment command's signature does not verify with the server key this agent pinned; it was refused.",
  E_DEPLOY_PLATFORM: 'The package is not for this platform.',
  E_DEPLOY_WINDOW: "The deployment's window closed before it could run.",
  E_DEPLOY_DOWNLOAD: 'The installer could not be downloaded from the server.',
  E_DEPLOY_INSTALL: 'The installer reported a failure.',
  E_DEPLOY_TIMEOUT: 'The installer ran past its time limit and was stopped.',
  E_DEPLOY_INTERRUPTED: 'The agent stopped while the installer ran; it was not run again (the detection rule did not find the package).',
  E_DEPLOY_NO_INSTALLER: "This machine lacks the package's installer program.",
  // Moving a store to PostgreSQL (`outpost store copy`, issue 15)
  E_STORE_NOT_EMPTY: 'The target database already holds data; a store is copied only into an empty database.',
  E_STORE_VERSION: 'The two stores are not at the schema version this Outpost copies; nothing was copied.',
  E_STORE_COPY_MISMATCH: 'The copy does not hold the rows the source holds; it was rolled back and nothing was kept.',
  // Service desk connectors (retryable: UNREACHABLE, UNAVAILABLE, RATE_LIMITED, CONFLICT)
  E_DESK_UNREACHABLE: 'The service desk cannot be reached (network error or timeout).',
  E_DESK_UNAVAILABLE: 'The service desk answered with a server error.',
  E_DESK_RATE_LIMITED: 'The service desk asked us to slow down.',
  E_DESK_AUTH: 'The service desk refused the credentials or the account lacks a right.',
  E_DESK_REJECTED: 'The service desk refused the request as invalid.',
  E_DESK_NOT_FOUND: 'The service desk has no such record.',
  E_DESK_CONFLICT: 'The record changed in the service desk since it was read.',
  E_DESK_BAD_RESPONSE: 'The service desk answered with something that is not its API (wrong URL or a proxy page?).',
  E_DESK_UNSUPPORTED: 'This service desk connector cannot do that.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error that carries a stable code, safe to show to users and send over the wire. */
export class OutpostError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code],
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'OutpostError';
  }
}

export function isOutpostError(err: unknown): err is OutpostError {
  return err instanceof OutpostError;
}
