import {
  AppError,
  ProviderConfigError,
  ProviderDeclinedError,
  ProviderError,
  ProviderRequestError,
  ProviderUnavailableError,
} from '../domain/errors.ts';

/** Turns a provider error into the AppError shown to the API client. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ProviderDeclinedError) {
    if (err.reason === 'expired') {
      return new AppError('PAYMENT_EXPIRED', '결제 가능 시간이 지났습니다. 다시 결제해 주세요.', detail(err), { cause: err });
    }
    if (err.reason === 'exceeds_refundable') {
      return new AppError('REFUND_EXCEEDS_REMAINING', '환불 가능 금액을 초과했습니다.', detail(err), { cause: err });
    }
    return new AppError('PROVIDER_DECLINED', `결제가 거절되었습니다: ${err.message}`, detail(err), { cause: err });
  }
  if (err instanceof ProviderUnavailableError) {
    return err.outcomeUnknown
      ? new AppError('PROVIDER_OUTCOME_UNKNOWN', '결제 결과를 확인하고 있습니다. 잠시 후 다시 확인해 주세요.', detail(err), { cause: err })
      : new AppError('PROVIDER_UNAVAILABLE', '결제사 응답이 없습니다. 잠시 후 다시 시도해 주세요.', detail(err), { cause: err });
  }
  if (err instanceof ProviderConfigError) {
    return new AppError('PROVIDER_CONFIG_INVALID', '결제 설정 오류입니다. 고객센터에 문의해 주세요.', detail(err), { cause: err });
  }
  if (err instanceof ProviderRequestError) {
    return new AppError('PROVIDER_REQUEST_INVALID', '결제 요청을 처리하지 못했습니다. 고객센터에 문의해 주세요.', detail(err), { cause: err });
  }
  throw err;
}

function detail(err: ProviderError) {
  return { provider: err.provider, provider_code: err.providerCode };
}

/** A short code stored on the payment row for failures. */
export function failureCodeOf(err: unknown): string {
  if (err instanceof ProviderError) return `${err.provider}:${err.providerCode}`;
  if (err instanceof AppError) return err.code;
  return 'internal';
}
