import { AppError } from '../domain/errors.ts';
import { LEGAL_VERSIONS, type Consent, type LegalDocumentId } from '../domain/legal/legal-documents.ts';
import type { IdGenerator } from '../domain/ports.ts';

const NAMES: Record<LegalDocumentId, string> = {
  terms: '이용약관',
  privacy: '개인정보 수집 · 이용',
  order: '주문 내용 확인 및 결제 조건',
};

/**
 * Refuses unless every required document was agreed to in its current version: a missing one is
 * CONSENT_REQUIRED (400, details.missing), an old one CONSENT_OUTDATED (409, details.current) so
 * the page shows the current text again. Returns the consents to store (one per document).
 */
export function requireCurrentConsents(
  given: Partial<Record<LegalDocumentId, string | undefined>>,
  required: readonly LegalDocumentId[],
  at: { userId: string; agreedAt: Date; paymentId: string | null; ids: IdGenerator },
): Consent[] {
  const missing = required.filter((d) => !given[d]);
  if (missing.length > 0) {
    throw new AppError('CONSENT_REQUIRED', `${missing.map((d) => NAMES[d]).join(', ')}에 동의해 주세요.`, {
      missing,
      current: Object.fromEntries(missing.map((d) => [d, LEGAL_VERSIONS[d]])),
    });
  }
  const outdated = required.filter((d) => given[d] !== LEGAL_VERSIONS[d]);
  if (outdated.length > 0) {
    throw new AppError('CONSENT_OUTDATED', `${outdated.map((d) => NAMES[d]).join(', ')} 내용이 바뀌었습니다. 새 내용을 확인하고 다시 동의해 주세요.`, {
      outdated,
      current: Object.fromEntries(outdated.map((d) => [d, LEGAL_VERSIONS[d]])),
    });
  }
  return required.map((document) => ({
    id: at.ids.next('cns'),
    userId: at.userId,
    document,
    version: LEGAL_VERSIONS[document],
    agreedAt: at.agreedAt,
    paymentId: at.paymentId,
  }));
}
