import type { CheckoutReturnUrlBuilder, Clock, GatewayRegistry, IdGenerator, PasswordHasher, TokenIssuer } from '../domain/ports.ts';
import type { BillingRepository } from '../domain/repositories.ts';
import type { PlanCatalog } from '../domain/plans.ts';
import type { RenewalSettings } from '../domain/subscription/renewal-schedule.ts';
import type { BusinessInfo } from '../domain/business-info.ts';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What every use case may depend on; built once in composition.ts. */
export interface UseCaseContext {
  repo: BillingRepository;
  clock: Clock;
  ids: IdGenerator;
  plans: PlanCatalog;
  gateways: GatewayRegistry;
  logger: Logger;
  passwords: PasswordHasher;
  tokens: TokenIssuer;
  /** The return URLs a provider's checkout page sends the browser back to (from the HTTP layer). */
  checkoutUrls: CheckoutReturnUrlBuilder;
  settings: {
    publicUrl: string;
    adminEmails: readonly string[];
    /** How long a concurrent approve waits for the one in flight to settle. */
    approveWaitMs: number;
    /** Renewal calendar: retries, grace period, notice lead, leases (domain/subscription/renewal-schedule.ts). */
    renewal: RenewalSettings;
    /** The merchant's business details for receipts and mail footers (BUSINESS_*). */
    business: BusinessInfo;
  };
  /** Sleeps for a short while; injected so tests can run without real waiting. */
  sleep(ms: number): Promise<void>;
}
