/**
 * An error a service function raises on purpose, carrying the HTTP status and a message meant for the user.
 * Route handlers and the upload server turn it into a response; anything else is a 500 with no detail.
 */
export class ServiceError extends Error {
  override name = 'ServiceError';
  readonly status: number;
  readonly code: string;
  /** Field-level messages for form validation failures. */
  readonly fields?: Record<string, string>;

  constructor(status: number, code: string, message: string, fields?: Record<string, string>) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

export const notFound = (what = 'Not found') => new ServiceError(404, 'not_found', what);
export const unauthorized = () => new ServiceError(401, 'unauthorized', 'Sign in first');
