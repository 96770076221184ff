/**
 * Values (not only types) the web app shares with the API. Each has its one home in the
 * domain; this file re-exports them because the web app imports nothing of `src/` outside
 * `src/http/schemas` (test/architecture.test.ts). Keep it to plain, browser-safe data.
 */
export { PAID_STATUSES, REFUNDABLE_STATUSES } from '../../domain/payment/payment-states.ts';
export { PROVIDER_NAMES } from '../../domain/payment/provider-names.ts';
