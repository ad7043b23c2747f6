// RFC 9457 problem details: every error the gateway answers with is one of these, with a
// 4xx status for anything the client can fix and 503 when ZooKeeper cannot be reached.

/** The JSON body of an error response (`application/problem+json`). */
export interface ProblemBody {
  /** A URI naming the kind of problem; `about:blank`-like tags under the gateway's own scheme. */
  readonly type: string;
  /** Short, fixed per type. */
  readonly title: string;
  /** The HTTP status code, repeated. */
  readonly status: number;
  /** What exactly went wrong with this request. */
  readonly detail: string;
}

/** A problem to send back; thrown by handlers and turned into a response by the error handler. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    /** The short tag after `urn:zkurator:gateway:`, e.g. `lock-not-found`. */
    readonly kind: string,
    readonly title: string,
    detail: string,
    /** Extra response headers (e.g. WWW-Authenticate). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'Problem';
  }

  get body(): ProblemBody {
    return { type: `urn:zkurator:gateway:${this.kind}`, title: this.title, status: this.status, detail: this.message };
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Every 400: what the request sent cannot be taken (the detail names the field and why). */
export const badRequest = (detail: string): Problem => new Problem(400, 'invalid-request', 'Invalid request', detail);
export const lockNotFound = (detail: string): Problem => new Problem(404, 'lock-not-found', 'No such lock', detail);
