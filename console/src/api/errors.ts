// An error answer of the API, with its stable code (shared/errors.ts), or a network failure.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Messages for the codes an admin meets in the console; the server's own text otherwise. */
const FRIENDLY: Record<string, string> = {
  E_BAD_CREDENTIALS: 'Wrong username or password.',
  E_RATE_LIMITED: 'Too many attempts. Wait a minute, then try again.',
  E_DEVICE_OFFLINE: 'The device is offline. It will report again when it next connects.',
  E_UNAUTHORIZED: 'Your session has ended. Sign in again.',
  E_NETWORK: 'The server cannot be reached. Check the connection and try again.',
};

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return FRIENDLY[err.code] ?? err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function errorCode(err: unknown): string | null {
  return err instanceof ApiError ? err.code : null;
}

/** Reads `{ error: { code, message } }`, or makes one from the status when the body is something else. */
export function errorFromBody(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : status === 401 ? 'E_UNAUTHORIZED' : 'E_HTTP';
  const message = typeof error?.message === 'string' ? error.message : `The server answered ${status}.`;
  return new ApiError(status, code, message);
}
