/**
 * A hosted-page or control-surface refusal (not a wire error): unknown token/tid (404),
 * disallowed method (400), already finished tid (409), expired tid (410).
 * `message` is Korean, shown on the hosted page.
 */
export class SandboxFlowError extends Error {
  constructor(
    readonly httpStatus: 400 | 404 | 409 | 410,
    message: string,
    readonly status?: string,
  ) {
    super(message);
    this.name = 'SandboxFlowError';
  }
}
