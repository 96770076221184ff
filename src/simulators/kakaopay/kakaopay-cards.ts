import type { ApiGeneration } from './kakaopay-envelope.ts';

/** Card used by the sandbox when the user approves with CARD. */
export interface SandboxCard {
  code: string;
  purchaseCorp: string;
  purchaseCorpCode: string;
  issuerCorp: string;
  issuerCorpCode: string;
  legacyPurchaseCorpCode: string;
  legacyIssuerCorpCode: string;
  bin: string;
  cardType: '신용' | '체크';
}

/** Default card: the values of the official CARD approve sample (spec §4.2). */
const DEFAULT_CARD: SandboxCard = {
  code: 'BC',
  purchaseCorp: '비씨카드',
  purchaseCorpCode: '104',
  issuerCorp: '수협은행',
  issuerCorpCode: '212',
  legacyPurchaseCorpCode: '01',
  legacyIssuerCorpCode: '13',
  bin: '621640',
  cardType: '체크',
};

/** Cards picked when `available_cards` restricts the choice (corp codes are plausible, [I]). */
const CARDS_BY_CODE: Record<string, SandboxCard> = {
  BC: DEFAULT_CARD,
  SHINHAN: card('SHINHAN', '신한카드', '106', '04', '451842', '신용'),
  KB: card('KB', 'KB국민카드', '101', '02', '457973', '신용'),
  HYUNDAI: card('HYUNDAI', '현대카드', '105', '03', '433028', '신용'),
  LOTTE: card('LOTTE', '롯데카드', '103', '08', '467309', '신용'),
  SAMSUNG: card('SAMSUNG', '삼성카드', '102', '04', '531751', '신용'),
  NH: card('NH', 'NH농협카드', '107', '11', '546112', '체크'),
  HANA: card('HANA', '하나카드', '108', '06', '459930', '신용'),
  CITI: card('CITI', '씨티카드', '109', '07', '524353', '신용'),
  KAKAOBANK: card('KAKAOBANK', '카카오뱅크', '114', '15', '536181', '체크'),
  KAKAOPAY: card('KAKAOPAY', '카카오페이카드', '115', '16', '523981', '신용'),
  WOORIONLY: card('WOORIONLY', '우리카드', '110', '12', '538720', '신용'),
  WOORI: card('WOORI', '우리카드', '110', '12', '538720', '신용'),
};

function card(
  code: string,
  corp: string,
  corpCode: string,
  legacyCode: string,
  bin: string,
  cardType: '신용' | '체크',
): SandboxCard {
  return {
    code,
    purchaseCorp: corp,
    purchaseCorpCode: corpCode,
    issuerCorp: corp,
    issuerCorpCode: corpCode,
    legacyPurchaseCorpCode: legacyCode,
    legacyIssuerCorpCode: legacyCode,
    bin,
    cardType,
  };
}

/** The first known card of `available_cards`, or the sample BC card. */
export function pickCard(availableCards: string[] | undefined): SandboxCard {
  for (const code of availableCards ?? []) {
    const found = CARDS_BY_CODE[code];
    if (found) return found;
  }
  return DEFAULT_CARD;
}

/** Card details stored at approval, rendered into `card_info` / `selected_card_info`. */
export interface CardApproval {
  card: SandboxCard;
  installMonth: number;
  approvedId: string;
  /** SID-only registration (0 won): card_info omits issuer/purchase fields (spec §3.2). */
  sidOnly: boolean;
}

/** `card_info` of approve/subscription responses (spec §5.2); legacy adds the old corp fields. */
export function cardInfo(approval: CardApproval, generation: ApiGeneration): Record<string, string> {
  const { card: c } = approval;
  const info: Record<string, string> = {
    interest_free_install: 'N',
    bin: c.bin,
    card_type: c.cardType,
    card_mid: '123456789',
    approved_id: approval.approvedId,
    install_month: String(approval.installMonth).padStart(2, '0'),
    installment_type: 'CARD_INSTALLMENT',
    card_item_code: '',
  };
  // A 0-won SID registration also carries the kakaopay_* corp fields (issue 12); only the
  // legacy purchase/issuer fields are left out there (spec §3.2).
  info.kakaopay_purchase_corp = c.purchaseCorp;
  info.kakaopay_purchase_corp_code = c.purchaseCorpCode;
  info.kakaopay_issuer_corp = c.issuerCorp;
  info.kakaopay_issuer_corp_code = c.issuerCorpCode;
  if (generation === 'legacy' && !approval.sidOnly) {
    info.purchase_corp = c.purchaseCorp;
    info.purchase_corp_code = c.legacyPurchaseCorpCode;
    info.issuer_corp = c.issuerCorp;
    info.issuer_corp_code = c.legacyIssuerCorpCode;
  }
  return info;
}

/** `selected_card_info` of order lookup (spec §4.3). */
export function selectedCardInfo(approval: CardApproval): Record<string, string | number> {
  return {
    card_bin: approval.card.bin,
    install_month: approval.installMonth,
    installment_type: 'CARD_INSTALLMENT',
    card_corp_name: approval.card.issuerCorp,
    interest_free_install: 'N',
  };
}
