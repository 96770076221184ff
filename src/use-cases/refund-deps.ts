import { AppError } from '../domain/errors.ts';
import type { RefundPolicy } from '../domain/payment/refund-policy.ts';
import type { RefundStore, UsageStore } from '../domain/payment/refund-store.ts';
import type { Payment } from '../domain/records.ts';
import type { PaymentGateway } from '../domain/ports.ts';
import type { UseCaseContext } from './context.ts';
import type { KeyedSerializer } from './keyed-serializer.ts';

/** What refund use cases need besides the common context; built in composition.ts. */
export interface RefundDeps {
  /** Refund rows outside a transaction; inside one, `repo.refunds()` of `ctx.repo.transaction`. */
  refunds: RefundStore;
  usage: UsageStore;
  /** One provider cancel per payment at a time (in this process). */
  serializer: KeyedSerializer;
  settings: {
    /** How `cancel-now` refunds unused days (`REFUND_POLICY`). */
    policy: RefundPolicy;
    /** 청약철회 window after approval, in days (`WITHDRAWAL_DAYS`, 7). */
    withdrawalDays: number;
    /**
     * A refund the provider has not processed, by lookup, is declared failed only this
     * long after it was requested (a cancel may still be queued at the provider before).
     */
    unknownGraceMs: number;
  };
}

/** The payment's provider, or UNKNOWN_PAYMENT_METHOD. */
export function gatewayOf(ctx: UseCaseContext, payment: Payment): PaymentGateway {
  const g = ctx.gateways.get(payment.provider);
  if (!g) throw new AppError('UNKNOWN_PAYMENT_METHOD', `지원하지 않는 결제 수단입니다: ${payment.provider}`);
  return g;
}
