/** Messages of /api/legal (one zod schema each; the web app imports the inferred types). */
import { z } from 'zod';
import { LEGAL_DOCUMENT_IDS } from '../../domain/legal/legal-documents.ts';

/** The operator's identity shown in every page's footer (전자상거래법 제10조; BUSINESS_* settings). */
export const BusinessIdentityView = z.object({
  /** 상호 */
  name: z.string(),
  /** 대표자 */
  representative: z.string(),
  /** 사업자등록번호 */
  registration_number: z.string(),
  /** 통신판매업 신고번호 */
  mail_order_report_number: z.string(),
  address: z.string(),
  phone: z.string(),
  email: z.string(),
  /** 호스팅서비스 제공자, when configured. */
  hosting_provider: z.string().nullable(),
});
export type BusinessIdentityView = z.infer<typeof BusinessIdentityView>;

export const LegalDocumentId = z.enum(LEGAL_DOCUMENT_IDS);
export type LegalDocumentId = z.infer<typeof LegalDocumentId>;

/** A document named in the path; an unknown name is 404 NOT_FOUND (checked by the handler). */
export const LegalDocumentParams = z.object({ document: z.string() });

const LegalDocumentHead = z.object({
  id: LegalDocumentId,
  version: z.string(),
  title: z.string(),
  /** YYYY-MM-DD */
  effective_date: z.string(),
});

/** A consent text: its version id is what sign-up and checkout send back as the consent. */
export const LegalDocumentView = LegalDocumentHead.extend({
  sections: z.array(z.object({ heading: z.string(), paragraphs: z.array(z.string()) })),
});
export type LegalDocumentView = z.infer<typeof LegalDocumentView>;

export const LegalResponse = z.object({
  business: BusinessIdentityView,
  documents: z.array(LegalDocumentHead),
  period_days: z.int(),
  withdrawal_days: z.int(),
});
export type LegalResponse = z.infer<typeof LegalResponse>;
