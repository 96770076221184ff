/** The one confirmation dialog of 내 구독, showing the content of the action being confirmed. */
import { ConfirmDialog } from '../../components/Dialog.tsx';
import type { Action } from './actions.ts';
import { cancelDialog, cancelNowDialog, withdrawDialog } from './dialogs/cancel-dialogs.tsx';
import type { DialogContent, DialogCtx } from './dialogs/content.ts';
import { downgradeDialog, undoDowngradeDialog, upgradeDialog } from './dialogs/plan-dialogs.tsx';
import { consentDialog, resumeDialog } from './dialogs/renewal-dialogs.tsx';

export type { DialogCtx } from './dialogs/content.ts';

function contentOf(action: Action, ctx: DialogCtx): DialogContent {
  switch (action.kind) {
    case 'cancel':
      return cancelDialog(ctx);
    case 'resume':
      return resumeDialog(ctx);
    case 'upgrade':
      return upgradeDialog(action.plan, action.quote, ctx);
    case 'downgrade':
      return downgradeDialog(action.plan, action.quote, ctx);
    case 'undo-downgrade':
      return undoDowngradeDialog(action.quote, ctx);
    case 'consent':
      return consentDialog(action);
    case 'withdraw':
      return withdrawDialog(action.receipt);
    case 'cancel-now':
      return cancelNowDialog(action.quote, ctx);
  }
}

export function ActionDialog({
  action,
  error,
  onClose,
  onConfirm,
  ctx,
}: {
  action: Action | null;
  error: string | null;
  onClose(): void;
  onConfirm(): void;
  ctx: DialogCtx;
}) {
  const content: DialogContent = action ? contentOf(action, ctx) : { title: '', confirm: '', body: null };
  return (
    <ConfirmDialog
      open={action !== null}
      title={content.title}
      confirmLabel={content.confirm}
      danger={content.danger ?? false}
      busy={ctx.busy}
      busyLabel={content.busyLabel ?? '처리 중…'}
      error={error}
      onConfirm={onConfirm}
      onClose={onClose}
    >
      {content.body}
    </ConfirmDialog>
  );
}
