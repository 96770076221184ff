import { api, type LegalDocumentView } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { Notice, Skeleton } from '../components/ui.tsx';
import { useLegal } from '../legal.ts';

/** Renders a consent text's sections (the sign-up, checkout and /terms, /privacy pages). */
export function LegalSections({ doc, headingLevel = 2 }: { doc: LegalDocumentView; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <>
      {doc.sections.map((s) => (
        <section key={s.heading} className="legal-section">
          <H className="legal-heading">{s.heading}</H>
          {s.paragraphs.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </section>
      ))}
    </>
  );
}

/** `/terms` and `/privacy`: the current version of the text, with its version id. */
export function LegalPage({ id }: { id: 'terms' | 'privacy' }) {
  const doc = useLoad((signal) => api.legalDocument(id, signal), [id]);
  const legal = useLegal();
  if (doc.state === 'loading') {
    return (
      <div className="narrow legal-page">
        <Skeleton width="40%" height="1.8rem" />
        <Skeleton width="100%" height="12rem" />
      </div>
    );
  }
  if (doc.state === 'error') {
    return (
      <Notice tone="danger" title="문서를 불러오지 못했습니다">
        {doc.error.message}
      </Notice>
    );
  }
  const d = doc.data;
  return (
    <article className="narrow legal-page card">
      <h1 className="page-title">{d.title}</h1>
      <p className="muted small legal-version">
        버전 <code>{d.version}</code> · 시행일 {d.effective_date}
      </p>
      <LegalSections doc={d} />
      {legal && (
        <section className="legal-section">
          <h2 className="legal-heading">사업자 정보 및 문의처</h2>
          <p>
            {legal.business.name} · 대표자 {legal.business.representative} · 사업자등록번호 {legal.business.registration_number}
          </p>
          <p>
            {legal.business.address} · 전화 {legal.business.phone} · 이메일 {legal.business.email}
          </p>
        </section>
      )}
    </article>
  );
}
