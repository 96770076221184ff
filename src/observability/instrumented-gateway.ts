import type { GatewayRegistry, PaymentGateway, PaymentResult } from '../domain/ports.ts';
import {
  ProviderConfigError,
  ProviderDeclinedError,
  ProviderRequestError,
  ProviderUnavailableError,
} from '../domain/errors.ts';
import type { Metrics } from './metrics.ts';

export interface GatewayLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The outcome label of a failed provider call. */
export function errorOutcome(err: unknown): string {
  if (err instanceof ProviderDeclinedError) return 'declined';
  if (err instanceof ProviderUnavailableError) return err.providerCode === 'timeout' ? 'timeout' : 'unavailable';
  if (err instanceof ProviderRequestError) return 'request_error';
  if (err instanceof ProviderConfigError) return 'config_error';
  return 'error';
}

/** How a money-moving attempt ended, for `billing_payments_total`. */
function paymentOutcome(result: PaymentResult | null, err: unknown): string {
  if (result) return result.status === 'approved' ? 'approved' : result.status === 'declined' ? 'declined' : result.status;
  if (err instanceof ProviderDeclinedError) return 'declined';
  if (err instanceof ProviderUnavailableError && err.outcomeUnknown) return 'unknown';
  return 'failed';
}

/**
 * Wraps a gateway so that every provider call is timed into
 * `billing_provider_call_duration_seconds{provider,operation,outcome}`, money-moving attempts
 * are counted in `billing_payments_total`, and one log line per call carries our payment id
 * (`payment_id`), the operation, the outcome and the duration. Inputs and results are never
 * logged (they hold tokens and raw provider payloads).
 */
export function instrumentGateway(gateway: PaymentGateway, metrics: Metrics, logger: GatewayLogger, stopwatch: () => number): PaymentGateway {
  const provider = gateway.id;
  async function timed<T>(operation: string, paymentId: string | null, run: () => Promise<T>, money?: 'approve' | 'charge'): Promise<T> {
    const started = stopwatch();
    let outcome = 'ok';
    try {
      const result = await run();
      if (money) metrics.payments.inc({ provider, operation: money, outcome: paymentOutcome(result as PaymentResult, null) });
      return result;
    } catch (err) {
      outcome = errorOutcome(err);
      if (money) metrics.payments.inc({ provider, operation: money, outcome: paymentOutcome(null, err) });
      throw err;
    } finally {
      const ms = stopwatch() - started;
      metrics.providerCalls.observe({ provider, operation, outcome }, ms / 1000);
      const fields = { provider, operation, payment_id: paymentId, outcome, ms: Math.round(ms) };
      // Declines are business as usual; config and request errors are ours to fix.
      if (outcome === 'ok' || outcome === 'declined') logger.info(fields, 'provider call');
      else if (outcome === 'config_error' || outcome === 'request_error' || outcome === 'error') logger.error(fields, 'provider call failed');
      else logger.warn(fields, 'provider call failed');
    }
  }
  const wrapped: PaymentGateway = {
    id: gateway.id,
    capabilities: gateway.capabilities,
    parseReturn: (query) => gateway.parseReturn(query),
    prepareCheckout: (input) => timed('prepare_checkout', input.paymentId, () => gateway.prepareCheckout(input)),
    approveCheckout: (input) => timed('approve_checkout', input.paymentId, () => gateway.approveCheckout(input), 'approve'),
    getPayment: (input) => timed('get_payment', input.paymentId, () => gateway.getPayment(input)),
    refund: (input) => timed('refund', input.paymentId, () => gateway.refund(input)),
    chargeBillingKey: (input) => timed('charge_billing_key', input.paymentId, () => gateway.chargeBillingKey(input), 'charge'),
    revokeBillingKey: (billingKey) => timed('revoke_billing_key', null, () => gateway.revokeBillingKey(billingKey)),
  };
  // Keep provider-specific extras (methods beyond the port) reachable.
  return Object.setPrototypeOf(wrapped, gateway) as PaymentGateway;
}

/** The registry with every gateway instrumented. */
export function instrumentRegistry(registry: GatewayRegistry, metrics: Metrics, logger: GatewayLogger, stopwatch: () => number): GatewayRegistry {
  const map = new Map(registry.list().map((g) => [g.id, instrumentGateway(g, metrics, logger, stopwatch)] as const));
  return {
    get: (method) => (map.has(method) ? map.get(method) : undefined),
    list: () => [...map.values()],
  };
}
