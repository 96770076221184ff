/**
 * The merchant's business details that receipts, mails and the page footer must show
 * (전자상거래법 제10조, 제13조①: 상호, 대표자, 주소, 전화번호, 사업자등록번호, 통신판매업 신고번호).
 * From configuration (`BUSINESS_*`, config/load-config.ts); a field not configured is null
 * and is left out rather than shown empty.
 */
export interface BusinessInfo {
  /** 상호 */
  name: string;
  /** 대표자 */
  owner: string | null;
  /** 사업자등록번호, e.g. `123-45-67890` */
  registrationNumber: string | null;
  /** 통신판매업 신고번호, e.g. `제2026-서울강남-0000호` */
  mailOrderNumber: string | null;
  /** 사업장 주소 */
  address: string | null;
  /** 고객센터 (phone and/or e-mail) */
  contact: string | null;
}

/** The business lines in display order, only those configured: `[label, value]`. */
export function businessLines(b: BusinessInfo): [string, string][] {
  const rows: [string, string | null][] = [
    ['상호', b.name],
    ['대표자', b.owner],
    ['사업자등록번호', b.registrationNumber],
    ['통신판매업 신고번호', b.mailOrderNumber],
    ['주소', b.address],
    ['고객센터', b.contact],
  ];
  return rows.filter((r): r is [string, string] => !!r[1]);
}
