import { supplyOf } from '../../domain/money.ts';
import { paymentFee } from '../../domain/payment/fees.ts';
import type { Refund } from '../../domain/payment/refund-states.ts';
import type { PlanCatalog } from '../../domain/plans.ts';
import type { Payment, Subscription, User } from '../../domain/records.ts';
import type { PaymentReceipt } from '../../use-cases/get-payment-receipt.ts';
import type { BusinessInfo } from '../../domain/business-info.ts';
import type { CancelNowResult } from '../../use-cases/cancel-with-refund.ts';
import type { ProviderFigures, RevenueFigures, RevenueReport } from '../../use-cases/revenue-report.ts';
import { REPORT_RULES } from '../../use-cases/revenue-report.ts';
import type { WithdrawalCheck } from '../../use-cases/withdraw-subscription.ts';
import { PROVIDER_NAMES, paymentView } from './views.ts';
import type { AdminPaymentView, AdminSubscriptionView, AdminUserView, ProviderFiguresView, RevenueFiguresView, RevenueReportResponse } from './admin-schemas.ts';
import type { BusinessView, CancelRefundLineView, ReceiptResponse, RefundView, WithdrawalView } from './refund-schemas.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const METHOD_NAMES: Record<string, string> = { card: '카드', money: '페이머니', bank: '계좌', point: '포인트', unknown: '기타' };

export function refundView(r: Refund): RefundView {
  return {
    id: r.id,
    payment_id: r.paymentId,
    kind: r.kind,
    status: r.status,
    amount_krw: r.amountKrw,
    vat_krw: r.vatKrw,
    supply_krw: supplyOf(r.amountKrw, r.vatKrw),
    reason: r.reason,
    requested_by: r.requestedBy,
    provider_refund_ref: r.providerRefundRef,
    failure_code: r.failureCode,
    created_at: r.createdAt.toISOString(),
    settled_at: iso(r.settledAt),
  };
}

export function withdrawalView(w: WithdrawalCheck): WithdrawalView {
  return { allowed: w.allowed, reason: w.reason, deadline: iso(w.deadline), used_at: iso(w.usedAt), used_feature: w.usedFeature };
}

function methodName(p: Payment): string {
  if (p.methodKind === 'money') return p.provider === 'naverpay' ? '네이버페이 포인트·머니' : '카카오페이머니';
  return METHOD_NAMES[p.methodKind ?? 'unknown'] ?? p.methodKind ?? '기타';
}

export function businessView(b: BusinessInfo): BusinessView {
  return {
    name: b.name,
    owner: b.owner,
    registration_number: b.registrationNumber,
    mail_order_number: b.mailOrderNumber,
    address: b.address,
    contact: b.contact,
  };
}

export function receiptView(r: PaymentReceipt, plans: PlanCatalog): ReceiptResponse {
  const p = r.payment;
  const plan = plans.find(p.planId);
  const settled = r.refunds.filter((x) => x.status === 'succeeded');
  const refundedVat = settled.reduce((a, x) => a + x.vatKrw, 0);
  const refundedKrw = p.refundedKrw;
  return {
    payment: paymentView(p, plans),
    receipt: {
      merchant: r.business.name,
      item: `ShowMeTheStock ${plan?.name ?? p.planId} (${plans.periodDays}일)`,
      provider_name: PROVIDER_NAMES[p.provider] ?? p.provider,
      method_name: methodName(p),
      method_label: p.methodLabel,
      amount_krw: p.amountKrw,
      supply_krw: supplyOf(p.amountKrw, p.vatKrw),
      vat_krw: p.vatKrw,
      refunded_krw: refundedKrw,
      net_krw: p.amountKrw - refundedKrw,
      approved_at: iso(p.approvedAt),
      approval_no: p.approvalNo,
      provider_ref: p.providerRef,
      period_start: iso(p.periodStart),
      period_end: iso(p.periodEnd),
      refunded_supply_krw: refundedKrw - refundedVat,
      refunded_vat_krw: refundedVat,
      net_supply_krw: p.amountKrw - refundedKrw - (p.vatKrw - refundedVat),
      net_vat_krw: p.vatKrw - refundedVat,
      pdf_url: `/api/payments/${encodeURIComponent(p.id)}/receipt.pdf`,
    },
    business: businessView(r.business),
    refunds: r.refunds.map(refundView),
    refundable_krw: r.refundableKrw,
    withdrawal: withdrawalView(r.withdrawal),
  };
}

export function adminSubscriptionView(s: Subscription, plans: PlanCatalog): AdminSubscriptionView {
  return {
    id: s.id,
    plan: s.planId,
    plan_name: plans.find(s.planId)?.name ?? s.planId,
    status: s.status,
    provider: s.provider,
    auto_renew: s.autoRenew,
    current_period_start: iso(s.currentPeriodStart),
    current_period_end: iso(s.currentPeriodEnd),
    canceled_at: iso(s.canceledAt),
    ended_at: iso(s.endedAt),
  };
}

export function adminUserView(u: User, sub: Subscription | null, plans: PlanCatalog): AdminUserView {
  return { id: u.id, email: u.email, role: u.role, created_at: u.createdAt.toISOString(), subscription: sub ? adminSubscriptionView(sub, plans) : null };
}

/** A payment for operators: with its refunds and the provider fee by the report's rule. */
export function adminPaymentView(p: Payment, refunds: readonly Refund[], plans: PlanCatalog, feesBps: Readonly<Record<string, number>>, refundableKrw: number): AdminPaymentView {
  const fee = paymentFee(p, feesBps);
  return {
    ...paymentView(p, plans),
    user_id: p.userId,
    provider_ref: p.providerRef,
    refunds: refunds.map(refundView),
    refundable_krw: refundableKrw,
    fee_krw: fee.feeKrw,
    fee_vat_krw: fee.feeVatKrw,
  };
}

export function cancelLineView(l: CancelNowResult['lines'][number]): CancelRefundLineView {
  return {
    payment_id: l.paymentId,
    paid_krw: l.paidKrw,
    remaining_days: l.remainingDays,
    period_days: l.periodDays,
    refund_krw: l.refundKrw,
    retained_krw: l.retainedKrw,
    refund: l.refund ? refundView(l.refund) : null,
    error: l.error,
  };
}

function figuresView(f: RevenueFigures): RevenueFiguresView {
  return {
    payments: f.payments,
    gross_krw: f.grossKrw,
    vat_krw: f.vatKrw,
    refund_count: f.refundCount,
    refunds_krw: f.refundsKrw,
    refunds_vat_krw: f.refundsVatKrw,
    fee_krw: f.feeKrw,
    fee_vat_krw: f.feeVatKrw,
    net_krw: f.netKrw,
    payout_krw: f.payoutKrw,
  };
}

function providerFiguresView(p: ProviderFigures): ProviderFiguresView {
  return { provider: p.provider, provider_name: PROVIDER_NAMES[p.provider] ?? p.provider, fee_bps: p.feeBps, ...figuresView(p) };
}

export function revenueReportView(r: RevenueReport): RevenueReportResponse {
  return {
    from: r.from,
    to: r.to,
    timezone: 'Asia/Seoul',
    generated_at: r.generatedAt.toISOString(),
    rules: { ...REPORT_RULES },
    totals: {
      ...figuresView(r.totals),
      providers: r.totals.providers.map(providerFiguresView),
      failed_renewals: r.totals.failedRenewals,
      failed_renewals_krw: r.totals.failedRenewalsKrw,
      ended: r.totals.ended,
    },
    months: r.months.map((m) => ({
      month: m.month,
      start_at: m.startAt.toISOString(),
      end_at: m.endAt.toISOString(),
      subscribers_at: iso(m.subscribersAt),
      ...figuresView(m),
      subscribers: m.subscribers,
      mrr_krw: m.mrrKrw,
      providers: m.providers.map(providerFiguresView),
      plans: m.plans.map((p) => ({
        plan: p.planId,
        plan_name: p.planName,
        monthly_price_krw: p.monthlyPriceKrw,
        payments: p.payments,
        gross_krw: p.grossKrw,
        subscribers: p.subscribers,
        mrr_krw: p.mrrKrw,
      })),
      failed_renewals: m.failedRenewals,
      failed_renewals_krw: m.failedRenewalsKrw,
      churn: { active_at_start: m.churn.activeAtStart, ended: m.churn.ended, rate: m.churn.rate },
    })),
    current: {
      as_of: r.current.asOf.toISOString(),
      subscribers: r.current.subscribers,
      mrr_krw: r.current.mrrKrw,
      plans: r.current.plans.map((p) => ({ plan: p.planId, plan_name: p.planName, subscribers: p.subscribers, mrr_krw: p.mrrKrw })),
    },
  };
}
