import type { Amount } from './kakaopay-amounts.ts';
import type { CardApproval } from './kakaopay-cards.ts';
import type { PaymentMethodType, PaymentStatus, SidStatus } from './kakaopay-states.ts';

/** One entry of `payment_action_details` (spec §4.3). Amounts are positive for CANCEL too ([I]). */
export interface PaymentAction {
  aid: string;
  approvedAtMs: number;
  amount: number;
  pointAmount: number;
  discountAmount: number;
  greenDeposit: number;
  type: 'PAYMENT' | 'CANCEL' | 'ISSUED_SID';
  paymentMethodType: PaymentMethodType;
  payload: string | undefined;
}

/** A payment (tid): created by ready or by a subscription charge. Times are ms since epoch. */
export interface PaymentRecord {
  tid: string;
  cid: string;
  kind: 'single' | 'subscription_charge';
  partnerOrderId: string;
  partnerUserId: string;
  itemName: string;
  itemCode: string | undefined;
  quantity: number;
  amount: Amount;
  canceledAmount: Amount;
  installMonth: number;
  /** `payment_method_type` of ready: the only method the user may choose. */
  allowedMethod: PaymentMethodType | undefined;
  availableCards: string[] | undefined;
  customJson: Record<string, string> | undefined;
  approvalUrl: string;
  cancelUrl: string;
  failUrl: string;
  /** 64-hex token of the hosted-page URLs; absent for subscription charges. */
  pageToken: string | undefined;
  status: PaymentStatus;
  /** Set when the tid passed its TTL unapproved (status then reads QUIT_PAYMENT). */
  expired: boolean;
  createdAtMs: number;
  selectedMethod: PaymentMethodType | undefined;
  card: CardApproval | undefined;
  pgToken: string | undefined;
  aid: string | undefined;
  approvedAtMs: number | undefined;
  canceledAtMs: number | undefined;
  approvePayload: string | undefined;
  sid: string | undefined;
  actions: PaymentAction[];
  history: { status: PaymentStatus; atMs: number }[];
}

/** A subscription key issued by approving a subscription-CID payment. */
export interface SidRecord {
  sid: string;
  cid: string;
  partnerUserId: string;
  status: SidStatus;
  paymentMethodType: PaymentMethodType;
  card: CardApproval | undefined;
  itemName: string;
  firstTid: string;
  createdAtMs: number;
  lastApprovedAtMs: number | undefined;
  inactivatedAtMs: number | undefined;
  /** Subscription charges per KST month (`YYYY-MM`), for the optional monthly cap. */
  chargesByMonth: Record<string, number>;
}

/** Counts of successful wire operations, for "charged exactly once" assertions. */
export interface SandboxStats {
  ready: number;
  approve: number;
  cancel: number;
  subscription: number;
  inactive: number;
  order: number;
  status: number;
  charges_by_sid: Record<string, number>;
  approvals_by_partner_order_id: Record<string, number>;
}

function emptyStats(): SandboxStats {
  return {
    ready: 0,
    approve: 0,
    cancel: 0,
    subscription: 0,
    inactive: 0,
    order: 0,
    status: 0,
    charges_by_sid: {},
    approvals_by_partner_order_id: {},
  };
}

/** The sandbox's whole state: plain Maps, one instance per app. */
export class KakaoPayStore {
  readonly payments = new Map<string, PaymentRecord>();
  readonly tidByPageToken = new Map<string, string>();
  readonly sids = new Map<string, SidRecord>();
  /** Keys of operations in flight (approve/cancel per tid, charge per sid+order) → -785 on overlap. */
  readonly inFlight = new Set<string>();
  stats: SandboxStats = emptyStats();

  addPayment(record: PaymentRecord): void {
    this.payments.set(record.tid, record);
    if (record.pageToken) this.tidByPageToken.set(record.pageToken, record.tid);
  }

  paymentByPageToken(token: string): PaymentRecord | undefined {
    const tid = this.tidByPageToken.get(token);
    return tid === undefined ? undefined : this.payments.get(tid);
  }

  countApproval(partnerOrderId: string): void {
    const byOrder = this.stats.approvals_by_partner_order_id;
    byOrder[partnerOrderId] = (byOrder[partnerOrderId] ?? 0) + 1;
  }

  countCharge(sid: string): void {
    const bySid = this.stats.charges_by_sid;
    bySid[sid] = (bySid[sid] ?? 0) + 1;
  }

  reset(): void {
    this.payments.clear();
    this.tidByPageToken.clear();
    this.sids.clear();
    this.inFlight.clear();
    this.stats = emptyStats();
  }
}
