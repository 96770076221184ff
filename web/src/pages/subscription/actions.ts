/**
 * What each confirmation of 내 구독 does, and the notice it leaves. Amounts in the notices are
 * the ones the API returned or quoted.
 */
import { api, type PlanView, type ReceiptResponse } from '../../api.ts';
import { date, won } from '../../format.ts';
import { launchCheckout } from '../../launch.ts';
import { quotesApi, type CancelNowQuoteResponse, type PlanChangeQuoteResponse } from '../../quotes-api.ts';
import type { Flash } from './data.ts';
import type { SubscriptionModel } from './model.ts';

export type Action =
  | { kind: 'cancel' }
  | { kind: 'resume' }
  | { kind: 'upgrade'; plan: PlanView; quote: PlanChangeQuoteResponse }
  | { kind: 'downgrade'; plan: PlanView; quote: PlanChangeQuoteResponse }
  | { kind: 'undo-downgrade'; quote: PlanChangeQuoteResponse }
  | { kind: 'consent'; priceKrw: number; planName: string; firstChargeAt: string }
  | { kind: 'withdraw'; receipt: ReceiptResponse }
  | { kind: 'cancel-now'; quote: CancelNowQuoteResponse };

export type QuotedAction = Extract<Action, { kind: 'upgrade' | 'cancel-now' }>;

export interface PerformContext {
  m: SubscriptionModel;
  /** The idempotency key of this confirmation. */
  key: string;
  /** The payment method chosen in the resume dialog. */
  method: string | null;
  /** Runs a quoted operation; a refused quote is replaced by a fresh one and thrown as an error. */
  requote<T>(a: QuotedAction, call: () => Promise<T>): Promise<T>;
}

/** Runs `a`; 'leaving' when the browser is on its way to the provider. */
export async function performAction(a: Action, { m, key, method, requote }: PerformContext): Promise<Flash | null | 'leaving'> {
  const { sub, pastDue, periodEnd, providerName } = m;
  switch (a.kind) {
    case 'cancel': {
      await api.cancelAutoRenew(key);
      return pastDue
        ? { tone: 'info', title: '구독을 해지했습니다', text: '결제가 밀린 구독이라 바로 종료되었고, 기본 플랜으로 바뀌었습니다.' }
        : {
            tone: 'success',
            title: '해지 예약이 완료되었습니다',
            text: `${date(periodEnd)}까지 ${sub.plan_name} 플랜을 계속 이용할 수 있고, 그 뒤에는 결제되지 않습니다. 그 전에는 '자동 결제 다시 켜기'로 바로 되돌릴 수 있어요.`,
          };
    }
    case 'resume': {
      const r = await api.resume(key, method ?? undefined);
      if (!r.resumed && r.checkout) {
        await launchCheckout(r.checkout);
        return 'leaving';
      }
      return { tone: 'success', title: '자동 결제가 다시 켜졌습니다', text: `${date(r.renewal.next_charge_at ?? periodEnd)}에 자동 결제됩니다.` };
    }
    case 'upgrade': {
      const r = await requote(a, () => quotesApi.changePlan(a.quote, key));
      if (r.change === 'checkout_required' && r.checkout) {
        await launchCheckout(r.checkout);
        return 'leaving';
      }
      if (r.change === 'pending') {
        return {
          tone: 'warning',
          title: '결제 결과를 확인하고 있어요',
          text: `${won(r.proration?.charge_krw ?? a.quote.charge_krw)} 결제가 확인되면 ${a.plan.name} 플랜이 바로 적용됩니다. 두 번 결제되지 않으니 다시 시도하지 마세요.`,
        };
      }
      const charged = r.payment?.amount_krw ?? r.proration?.charge_krw ?? 0;
      return {
        tone: 'success',
        title: `${a.plan.name} 플랜으로 변경되었습니다`,
        text:
          charged > 0
            ? `남은 기간 차액 ${won(charged)}을 ${r.payment?.provider_name ?? providerName ?? '등록된 결제 수단'}로 결제했습니다.`
            : '추가 결제 없이 바로 적용되었습니다.',
      };
    }
    case 'downgrade': {
      const r = await api.changePlan(a.plan.id, key);
      return {
        tone: 'success',
        title: `${a.plan.name} 플랜으로 다운그레이드를 예약했습니다`,
        text: `${date(r.effective_at ?? a.quote.effective_at)}부터 ${a.plan.name} 플랜이 적용되고 ${won(r.renewal.next_renewal?.charge_krw ?? r.renewal.next_renewal?.price_krw ?? a.quote.next_charge_krw)}이 결제됩니다.`,
      };
    }
    case 'undo-downgrade': {
      await api.changePlan(sub.plan, key);
      return { tone: 'success', title: '다운그레이드 예약을 취소했습니다', text: `${sub.plan_name} 플랜을 계속 이용합니다.` };
    }
    case 'consent': {
      await api.consent(a.priceKrw, key);
      return { tone: 'success', title: '변경된 가격에 동의했습니다', text: `${date(a.firstChargeAt)} 결제부터 ${won(a.priceKrw)}이 결제됩니다.` };
    }
    case 'withdraw': {
      const r = await api.withdraw(a.receipt.payment.id, key);
      return r.outcome === 'succeeded'
        ? { tone: 'success', title: '청약철회가 완료되었습니다', text: `${won(r.refund.amount_krw)}을 ${r.payment.provider_name}로 환불했습니다.` }
        : { tone: 'warning', title: '환불 결과를 확인하고 있어요', text: '결제사 응답을 기다리는 중입니다. 결제 내역에서 잠시 후 확인해 주세요.' };
    }
    case 'cancel-now': {
      const r = await requote(a, () => quotesApi.confirmCancelNow(a.quote, key));
      const failed = r.lines.filter((l) => l.error);
      if (failed.length > 0) {
        return {
          tone: 'warning',
          title: '구독을 해지했지만 일부 환불이 처리되지 않았습니다',
          text: `${won(r.refunded_krw)}을 환불했습니다. 나머지는 고객센터에서 확인 후 환불해 드립니다.`,
        };
      }
      return {
        tone: 'success',
        title: '구독을 해지했습니다',
        text: r.refunded_krw > 0 ? `미사용 기간 ${won(r.refunded_krw)}을 환불했습니다.` : '환불할 미사용 금액이 없습니다.',
      };
    }
  }
}
