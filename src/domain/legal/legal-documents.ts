/**
 * The versioned texts a user agrees to (docs/legal.md names the law behind each rule).
 * A consent is stored with the version id the user saw; the server refuses a consent to any
 * other version than the current one, so a page left open across a change is asked again.
 * Changing a text (or a setting it quotes: WITHDRAWAL_DAYS, REFUND_POLICY, the period) means a
 * new version id here.
 */

export const LEGAL_DOCUMENT_IDS = ['terms', 'privacy', 'order'] as const;
/** `terms` 이용약관, `privacy` 개인정보 수집·이용 동의, `order` 주문 내용 확인 및 결제 동의 (checkout). */
export type LegalDocumentId = (typeof LEGAL_DOCUMENT_IDS)[number];

/** The current version of each document. */
export const LEGAL_VERSIONS: Readonly<Record<LegalDocumentId, string>> = Object.freeze({
  terms: 'terms-2026-12-01',
  privacy: 'privacy-2026-12-01',
  order: 'order-2026-12-01',
});

/** The day each current version took effect (Korea time, shown on the pages). */
const EFFECTIVE: Readonly<Record<LegalDocumentId, string>> = { terms: '2026-12-01', privacy: '2026-12-01', order: '2026-12-01' };

export interface LegalSection {
  heading: string;
  paragraphs: string[];
}

export interface LegalDocument {
  id: LegalDocumentId;
  version: string;
  title: string;
  /** YYYY-MM-DD. */
  effectiveDate: string;
  sections: LegalSection[];
}

/** Settings the texts quote, so what users read is what the service does. */
export interface LegalFacts {
  /** Days of one paid period (plans.json `periodDays`). */
  periodDays: number;
  /** The 청약철회 window after approval (WITHDRAWAL_DAYS). */
  withdrawalDays: number;
  /** How cancel-now refunds (REFUND_POLICY). */
  refundPolicy: 'prorated_days' | 'none';
}

function withdrawalSection(f: LegalFacts): LegalSection {
  return {
    heading: '청약철회 및 환불',
    paragraphs: [
      `결제일로부터 ${f.withdrawalDays}일 이내에는 청약을 철회하고 결제 금액 전액을 환불받을 수 있습니다 (내 구독 또는 결제 내역의 "청약철회").`,
      '다만 이 서비스는 디지털콘텐츠(온라인 서비스)로서, 결제 후 자동매매 등 유료 기능을 한 번이라도 사용하면 콘텐츠의 제공이 개시된 것으로 보아 청약철회가 제한됩니다 (전자상거래법 제17조 제2항 제5호). 유료 기능을 사용하지 않은 동안에는 무료 기능과 화면을 둘러보셔도 청약철회를 할 수 있습니다.',
      f.refundPolicy === 'prorated_days'
        ? '청약철회 기간이 지났거나 유료 기능을 사용한 뒤에도 언제든 즉시 해지할 수 있으며, 이 경우 남은 이용 일수만큼 일할 계산한 금액을 환불합니다 (하루 미만은 버림).'
        : '청약철회 기간이 지났거나 유료 기능을 사용한 뒤에는 해지하셔도 이미 결제한 기간의 이용료는 환불되지 않으며, 이용 기간이 끝날 때까지 이용하실 수 있습니다.',
      '환불은 결제에 사용한 결제 수단(카카오페이 · 네이버페이)으로 취소 처리되며, 카드사 사정에 따라 영업일 기준 3~7일이 걸릴 수 있습니다.',
    ],
  };
}

function renewalSection(f: LegalFacts): LegalSection {
  return {
    heading: '자동 결제(정기결제)',
    paragraphs: [
      `유료 플랜은 ${f.periodDays}일 단위로 이용하며, 자동 결제를 켜면 이용 기간이 끝날 때 같은 금액(부가세 포함)이 같은 결제 수단으로 ${f.periodDays}일마다 결제됩니다.`,
      '자동 결제 예정일 7일 전에 결제 예정 금액과 날짜를 이메일로 알려드립니다. 자동 결제는 내 구독 화면에서 언제든 끌 수 있으며, 끄더라도 이미 결제한 이용 기간이 끝날 때까지 이용하실 수 있습니다.',
      '가격이 오르는 경우 적용 30일 전까지 알리고 동의를 받으며, 동의하지 않으시면 오른 가격으로 결제하지 않습니다.',
    ],
  };
}

function terms(f: LegalFacts): LegalSection[] {
  return [
    {
      heading: '제1조 (목적)',
      paragraphs: ['이 약관은 회사가 제공하는 ShowMeTheStock 주식 분석 · 자동매매 구독 서비스(이하 "서비스")의 이용 조건과 절차, 회사와 회원의 권리 · 의무를 정합니다.'],
    },
    {
      heading: '제2조 (회원가입)',
      paragraphs: ['회원가입은 이 약관과 개인정보 수집 · 이용에 동의하고 이메일과 비밀번호를 등록하면 완료됩니다. 회원은 비밀번호를 스스로 관리하며, 잊은 경우 이메일로 재설정할 수 있습니다.'],
    },
    {
      heading: '제3조 (유료 플랜과 결제)',
      paragraphs: [
        '유료 플랜의 가격은 요금제 화면과 결제 화면에 부가세를 포함한 금액으로 표시합니다. 결제는 카카오페이 또는 네이버페이가 처리하며 회사는 카드 번호를 저장하지 않습니다.',
        '결제 전 주문 내용(상품, 가격, 이용 기간, 자동 결제 조건, 청약철회 조건)을 확인하고 동의하는 절차를 거칩니다.',
      ],
    },
    { ...renewalSection(f), heading: '제4조 (자동 결제)' },
    { ...withdrawalSection(f), heading: '제5조 (청약철회 및 환불)' },
    {
      heading: '제6조 (서비스의 성격)',
      paragraphs: ['서비스가 제공하는 정보와 자동매매 기능은 투자 판단을 돕기 위한 도구이며, 투자 결과에 대한 책임은 회원에게 있습니다.'],
    },
    {
      heading: '제7조 (분쟁 해결)',
      paragraphs: ['서비스 이용과 관련한 문의 · 불만은 아래 연락처로 접수하며, 회사는 지체 없이 처리 결과를 알려드립니다. 해결되지 않은 분쟁은 한국소비자원 또는 전자거래분쟁조정위원회에 조정을 신청할 수 있습니다.'],
    },
  ];
}

function privacy(): LegalSection[] {
  return [
    {
      heading: '수집 · 이용 목적',
      paragraphs: ['회원 식별과 로그인, 구독 결제와 환불, 정기결제 예정 · 결제 실패 등 법령이 정한 안내 메일 발송, 비밀번호 재설정, 부정 이용 방지.'],
    },
    {
      heading: '수집 항목',
      paragraphs: [
        '필수: 이메일 주소, 비밀번호(단방향 암호화하여 저장), 서비스 이용 · 결제 기록(결제 수단 종류, 승인 번호, 금액, 일시), 접속 기록(IP 주소, 로그인 시각).',
        '카드 번호 등 결제 정보는 카카오페이 · 네이버페이가 직접 처리하며 회사는 수집하지 않습니다.',
      ],
    },
    {
      heading: '보유 · 이용 기간',
      paragraphs: [
        '회원 탈퇴 시까지. 다만 전자상거래법에 따라 계약 · 청약철회 · 대금결제 기록은 5년, 소비자 불만 · 분쟁 처리 기록은 3년, 통신비밀보호법에 따라 접속 기록은 3개월간 보관합니다.',
      ],
    },
    {
      heading: '동의를 거부할 권리',
      paragraphs: ['개인정보 수집 · 이용에 동의하지 않을 수 있으나, 위 항목은 서비스 제공에 꼭 필요하므로 동의하지 않으면 회원가입을 할 수 없습니다.'],
    },
  ];
}

function order(f: LegalFacts): LegalSection[] {
  return [renewalSection(f), withdrawalSection(f)];
}

const TITLES: Readonly<Record<LegalDocumentId, string>> = {
  terms: '이용약관',
  privacy: '개인정보 수집 · 이용 동의',
  order: '결제 및 청약철회 조건',
};

/** The current text of a document, with the settings it quotes filled in. */
export function legalDocument(id: LegalDocumentId, facts: LegalFacts): LegalDocument {
  const sections = id === 'terms' ? terms(facts) : id === 'privacy' ? privacy() : order(facts);
  return { id, version: LEGAL_VERSIONS[id], title: TITLES[id], effectiveDate: EFFECTIVE[id], sections };
}

/** A consent as stored: which document, which version, when; a checkout's names its payment. */
export interface Consent {
  id: string;
  userId: string;
  document: LegalDocumentId;
  version: string;
  agreedAt: Date;
  /** The payment attempt an `order` consent was given for; null for sign-up consents. */
  paymentId: string | null;
}
