import type { ReactNode } from 'react';
import type { PaymentMethodView } from '../../../api.ts';
import type { SubscriptionModel } from '../model.ts';

/** What a confirmation dialog of 내 구독 shows. */
export interface DialogContent {
  title: string;
  confirm: string;
  danger?: boolean;
  busyLabel?: string;
  body: ReactNode;
}

export interface DialogCtx {
  m: SubscriptionModel;
  busy: boolean;
  methods: PaymentMethodView[];
  /** The payment method chosen in the resume dialog. */
  method: string | null;
  setMethod(m: string): void;
  /** From the cancel-now dialog: switch to the 청약철회 dialog of that payment (issue 11 item 8). */
  offerWithdrawal(paymentId: string): void;
}
