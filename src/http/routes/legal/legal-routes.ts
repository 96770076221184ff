import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../../domain/errors.ts';
import { LEGAL_DOCUMENT_IDS, legalDocument, type LegalFacts } from '../../../domain/legal/legal-documents.ts';
import { LegalDocumentId, LegalDocumentParams, LegalDocumentView, LegalResponse, type BusinessIdentityView } from '../../schemas/legal-schemas.ts';

export interface LegalRoutesOptions {
  facts: LegalFacts;
  /** From configuration (BUSINESS_*), in the wire shape. */
  business: BusinessIdentityView;
}

/**
 * Open routes for every page's footer and the consent texts (docs/legal.md):
 * - `GET /api/legal`: the business identity and the current version of each document;
 * - `GET /api/legal/{terms|privacy|order}`: a document's current text with its version id.
 */
export const legalRoutes: FastifyPluginAsyncZod<LegalRoutesOptions> = async (app, { facts, business }) => {
  const view = (id: (typeof LEGAL_DOCUMENT_IDS)[number]): LegalDocumentView => {
    const d = legalDocument(id, facts);
    return { id: d.id, version: d.version, title: d.title, effective_date: d.effectiveDate, sections: d.sections };
  };

  app.get('/api/legal', { schema: { tags: ['legal'], summary: '사업자 정보와 약관 · 동의 문서의 현재 버전', response: { 200: LegalResponse } } }, async (): Promise<LegalResponse> => ({
    business,
    documents: LEGAL_DOCUMENT_IDS.map((id) => {
      const { sections: _s, ...head } = view(id);
      return head;
    }),
    period_days: facts.periodDays,
    withdrawal_days: facts.withdrawalDays,
  }));

  app.get(
    '/api/legal/:document',
    { schema: { tags: ['legal'], summary: '약관 · 동의 문서 (현재 버전의 전문)', params: LegalDocumentParams, response: { 200: LegalDocumentView } } },
    async (req): Promise<LegalDocumentView> => {
      const parsed = LegalDocumentId.safeParse(req.params.document);
      if (!parsed.success) throw new AppError('NOT_FOUND', '찾을 수 없는 문서입니다.', { path: req.url.split('?')[0] });
      return view(parsed.data);
    },
  );
};
