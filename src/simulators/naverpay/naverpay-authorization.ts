/**
 * What happens when the user leaves the hosted page (spec §3.2, §6.4, §6.5): approve creates the
 * payment (AUTHORIZED, approval window starts) or the recurrent temp receipt; cancel / owner-auth
 * failure / session expiry abort the reservation. Shared by the hosted page and the control API.
 */
import { createAuthorizedPayment } from './naverpay-payment-operations.ts';
import type { SandboxState } from './naverpay-sandbox-state.ts';
import type { AuthorizeAction, Reserve } from './naverpay-store.ts';

const FAILURE_MESSAGES: Record<Exclude<AuthorizeAction, 'approve'>, string> = {
  cancel: 'userCancel',
  fail: 'OwnerAuthFail',
  expire: 'paymentTimeExpire',
};

export interface AuthorizeOutcome {
  reserveId: string;
  kind: Reserve['kind'];
  action: AuthorizeAction;
  redirectUrl: string;
  returnUrl: string;
  resultCode: string;
  resultMessage: string | undefined;
  paymentId: string | undefined;
  tempReceiptId: string | undefined;
}

export type AuthorizeResult =
  | { ok: true; outcome: AuthorizeOutcome }
  | { ok: false; reason: 'conflict'; message: string; outcome: AuthorizeOutcome };

/** Appends query parameters with `?` or `&`, before any fragment; values percent-encoded. */
export function appendQuery(url: string, params: ReadonlyArray<readonly [string, string]>): string {
  const hashAt = url.indexOf('#');
  const base = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const hash = hashAt >= 0 ? url.slice(hashAt) : '';
  const query = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${query}${hash}`;
}

/** The outcome of an already decided reservation. */
export function outcomeOf(reserve: Reserve): AuthorizeOutcome {
  const decision = reserve.decision!;
  return {
    reserveId: reserve.reserveId,
    kind: reserve.kind,
    action: decision.action,
    redirectUrl: decision.redirectUrl,
    returnUrl: reserve.params.returnUrl,
    resultCode: decision.resultCode,
    resultMessage: decision.resultMessage,
    paymentId: reserve.kind === 'onetime' ? reserve.paymentId : undefined,
    tempReceiptId: reserve.kind === 'recurrent' ? reserve.tempReceiptId : undefined,
  };
}

export function isSessionExpired(state: SandboxState, reserve: Reserve): boolean {
  return reserve.state === 'RESERVED' && state.now() - reserve.createdAt > state.options.pageSessionTtlMs;
}

/**
 * Applies the user's choice to a reservation. A reservation is decided once: repeating the same
 * action replays the first redirect (double submit), a different action is a conflict. A session
 * older than `pageSessionTtlMs` ends as `paymentTimeExpire` whatever the action.
 */
export function authorizeReserve(state: SandboxState, reserve: Reserve, requested: AuthorizeAction): AuthorizeResult {
  if (reserve.decision) {
    const outcome = outcomeOf(reserve);
    if (outcome.action === requested) return { ok: true, outcome };
    return { ok: false, reason: 'conflict', message: `reservation already ended with ${outcome.action}`, outcome };
  }
  const now = state.now();
  const action: AuthorizeAction = isSessionExpired(state, reserve) ? 'expire' : requested;
  const returnUrl = reserve.params.returnUrl;

  if (action === 'approve') {
    state.store.stats.increment('authorize');
    if (reserve.kind === 'onetime') {
      const p = reserve.params;
      const payment = createAuthorizedPayment(state, {
        kind: 'onetime',
        partnerId: reserve.partnerId,
        reserveId: reserve.reserveId,
        merchantPayKey: p.merchantPayKey,
        merchantUserKey: p.merchantUserKey,
        productName: p.productName,
        totalPayAmount: p.totalPayAmount,
        taxScopeAmount: p.taxScopeAmount,
        taxExScopeAmount: p.taxExScopeAmount,
        environmentDepositAmount: p.environmentDepositAmount,
        merchantPayTransactionKey: p.merchantPayTransactionKey,
        merchantExtraParameter: p.merchantExtraParameter,
        useCfmYmdt: p.useCfmYmdt,
        extraDeduction: p.extraDeduction,
      });
      reserve.state = 'AUTHORIZED';
      reserve.paymentId = payment.paymentId;
      reserve.decision = {
        action,
        resultCode: 'Success',
        resultMessage: undefined,
        redirectUrl: appendQuery(returnUrl, [
          ['resultCode', 'Success'],
          ['paymentId', payment.paymentId],
        ]),
        at: now,
      };
    } else {
      reserve.state = 'AUTHORIZED';
      reserve.authorizedAt = now;
      reserve.tempReceiptId = state.ids.tempReceiptId(now);
      reserve.decision = {
        action,
        resultCode: 'Success',
        resultMessage: undefined,
        redirectUrl: appendQuery(returnUrl, [
          ['resultCode', 'Success'],
          ['reserveId', reserve.reserveId],
          ['tempReceiptId', reserve.tempReceiptId],
        ]),
        at: now,
      };
    }
    return { ok: true, outcome: outcomeOf(reserve) };
  }

  const resultMessage = FAILURE_MESSAGES[action];
  reserve.state = 'ABORTED';
  reserve.decision = {
    action,
    resultCode: 'Fail',
    resultMessage,
    redirectUrl: appendQuery(returnUrl, [
      ['resultCode', 'Fail'],
      ['resultMessage', resultMessage],
      ['reserveId', reserve.reserveId],
    ]),
    at: now,
  };
  return { ok: true, outcome: outcomeOf(reserve) };
}

/** Data handed to `onAuthorize` in popup mode (§3.2). */
export function popupData(outcome: AuthorizeOutcome): Record<string, string> {
  const data: Record<string, string> = { resultCode: outcome.resultCode, returnUrl: outcome.returnUrl };
  if (outcome.resultMessage) data.resultMessage = outcome.resultMessage;
  if (outcome.paymentId) data.paymentId = outcome.paymentId;
  if (outcome.kind === 'recurrent' || outcome.resultCode !== 'Success') data.reserveId = outcome.reserveId;
  if (outcome.tempReceiptId) data.tempReceiptId = outcome.tempReceiptId;
  return data;
}
