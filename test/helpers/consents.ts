import { LEGAL_VERSIONS } from '../../src/domain/legal/legal-documents.ts';

/** The sign-up consents (이용약관, 개인정보 수집·이용) in their current versions, as the page sends them. */
export const SIGNUP_CONSENTS = { terms_version: LEGAL_VERSIONS.terms, privacy_version: LEGAL_VERSIONS.privacy } as const;

/** The checkout's 주문 내용 확인 및 결제 동의 in its current version, as the page sends it. */
export const ORDER_CONSENT = { order_consent_version: LEGAL_VERSIONS.order } as const;
