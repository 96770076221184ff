import { readFile } from 'node:fs/promises';
import PDFDocument from 'pdfkit';
import type { ReceiptResponse } from '../../schemas/refund-schemas.ts';

/** The fonts of the receipt PDF: a Noto CJK collection file and the face to use in it. */
export interface ReceiptFonts {
  regularFile: string;
  boldFile: string;
}

/** Debian's fonts-noto-cjk (installed by `npm test`'s pretest, CI and the Dockerfile). */
export const DEBIAN_NOTO_CJK: ReceiptFonts = {
  regularFile: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  boldFile: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
};

// Faces inside the collections: the Korean variants.
const REGULAR = 'NotoSansCJKkr-Regular';
const BOLD = 'NotoSansCJKkr-Bold';

const fontCache = new Map<string, Promise<Buffer>>();
/** Each collection file (about 20 MB) is read once per process, on the first receipt. */
function fontBytes(file: string): Promise<Buffer> {
  let p = fontCache.get(file);
  if (!p) {
    p = readFile(file);
    p.catch(() => fontCache.delete(file));
    fontCache.set(file, p);
  }
  return p;
}

const KST = new Intl.DateTimeFormat('ko-KR', {
  timeZone: 'Asia/Seoul',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const KST_DATE = new Intl.DateTimeFormat('ko-KR', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit' });
const won = (n: number) => `${n.toLocaleString('ko-KR')}원`;
const at = (iso: string | null) => (iso ? `${KST.format(new Date(iso))} (KST)` : '-');
const day = (iso: string) => KST_DATE.format(new Date(iso));

const STATUS: Record<string, string> = {
  approved: '결제 완료',
  partially_refunded: '부분 환불',
  refunded: '전액 환불',
};
const REFUND_KIND: Record<string, string> = { withdrawal: '청약철회', cancel_now: '중도 해지 환불', admin: '환불' };
const REFUND_STATUS: Record<string, string> = { succeeded: '완료', requested: '처리 중', unknown: '확인 중', failed: '실패' };

/**
 * The receipt as an A4 PDF with Korean text (pdfkit, Noto Sans CJK KR embedded as a subset with
 * its ToUnicode map, so the text can be searched and copied). Shows exactly what the receipt
 * page shows: the merchant's business details, the item and period, the method with the card
 * approval number, the VAT split of the payment, of each refund and of what remains paid.
 */
export async function renderReceiptPdf(r: ReceiptResponse, opts: { fonts: ReceiptFonts; issuedAt: Date }): Promise<Buffer> {
  const [regular, bold] = await Promise.all([fontBytes(opts.fonts.regularFile), fontBytes(opts.fonts.boldFile)]);
  const { receipt, payment, business, refunds } = r;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `영수증 ${payment.id}`, Author: business.name, Subject: receipt.item },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', regular, REGULAR);
  doc.registerFont('bold', bold, BOLD);

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const line = () => {
    doc.moveDown(0.4);
    doc.moveTo(left, doc.y).lineTo(left + width, doc.y).lineWidth(0.5).strokeColor('#999999').stroke();
    doc.moveDown(0.6);
  };
  const row = (label: string, value: string, o: { strong?: boolean } = {}) => {
    const y = doc.y;
    doc.font('regular').fontSize(10).fillColor('#555555').text(label, left, y, { width: 150 });
    doc.font(o.strong ? 'bold' : 'regular').fillColor('#111111').text(value, left + 150, y, { width: width - 150, align: 'right' });
    doc.moveDown(0.3);
  };
  const heading = (text: string) => {
    doc.font('bold').fontSize(12).fillColor('#111111').text(text, left, doc.y);
    doc.moveDown(0.4);
  };

  doc.font('bold').fontSize(20).fillColor('#111111').text('영수증', left, doc.y);
  doc.font('regular').fontSize(10).fillColor('#555555').text(`${STATUS[payment.status] ?? payment.status} · 결제 번호 ${payment.id}`);
  line();

  heading('판매자');
  row('상호', business.name);
  if (business.owner) row('대표자', business.owner);
  if (business.registration_number) row('사업자등록번호', business.registration_number);
  if (business.mail_order_number) row('통신판매업 신고번호', business.mail_order_number);
  if (business.address) row('주소', business.address);
  if (business.contact) row('고객센터', business.contact);
  line();

  heading('결제 내용');
  row('상품', receipt.item);
  if (receipt.period_start && receipt.period_end) row('이용 기간', `${day(receipt.period_start)} ~ ${day(receipt.period_end)}`);
  row('결제 수단', `${receipt.provider_name} · ${receipt.method_name}${receipt.method_label ? ` (${receipt.method_label})` : ''}`);
  if (receipt.approval_no) row('카드 승인번호', receipt.approval_no, { strong: true });
  row('승인 일시', at(receipt.approved_at));
  if (receipt.provider_ref) row('거래 번호', receipt.provider_ref);
  line();

  heading('결제 금액');
  row('공급가액', won(receipt.supply_krw));
  row('부가세', won(receipt.vat_krw));
  row('합계', won(receipt.amount_krw), { strong: true });

  if (refunds.length > 0) {
    line();
    heading('환불 내역');
    for (const x of refunds) {
      row(
        `${REFUND_KIND[x.kind] ?? x.kind} (${REFUND_STATUS[x.status] ?? x.status})`,
        `${won(x.amount_krw)} (공급가액 ${won(x.supply_krw)} · 부가세 ${won(x.vat_krw)})`,
      );
      doc.font('regular').fontSize(9).fillColor('#777777').text(`${at(x.settled_at ?? x.created_at)} · ${x.reason}`, left, doc.y, { width });
      doc.moveDown(0.3);
    }
    row('환불 합계', `${won(receipt.refunded_krw)} (공급가액 ${won(receipt.refunded_supply_krw)} · 부가세 ${won(receipt.refunded_vat_krw)})`);
    row('실 결제 금액', `${won(receipt.net_krw)} (공급가액 ${won(receipt.net_supply_krw)} · 부가세 ${won(receipt.net_vat_krw)})`, { strong: true });
  }
  line();

  doc
    .font('regular')
    .fontSize(9)
    .fillColor('#555555')
    .text('금액은 부가세(VAT 10%)를 포함합니다. 이 영수증은 결제 확인용이며, 세금계산서가 아닙니다.', left, doc.y, { width })
    .text(`발행 일시: ${at(opts.issuedAt.toISOString())}`, { width });
  doc.end();
  return done;
}
