/**
 * Modal dialogs on the native <dialog> element: showModal() makes the rest of the page
 * inert, keeps Tab inside and closes on Esc. Focus goes to the element marked
 * `data-autofocus` (or the first control) and back to whatever had it before on close.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Spinner } from './ui.tsx';

interface DialogProps {
  open: boolean;
  title: string;
  onClose(): void;
  /** While true, Esc and the buttons do nothing (a request is running). */
  busy?: boolean;
  children: ReactNode;
  footer?: ReactNode;
  /** For forms inside the dialog. */
  onSubmit?(): void;
  wide?: boolean;
}

export function Dialog({ open, title, onClose, busy = false, children, footer, onSubmit, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const id = useId();
  const busyRef = useRef(busy);
  busyRef.current = busy;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) {
      returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      el.showModal();
      const target = el.querySelector<HTMLElement>('[data-autofocus]') ?? el.querySelector<HTMLElement>('input, textarea, select, button');
      target?.focus();
    } else if (!open && el.open) {
      el.close();
    }
  }, [open]);

  // Give focus back when the dialog goes away (closed, or unmounted while open).
  useEffect(() => {
    if (open) return;
    const back = returnTo.current;
    returnTo.current = null;
    if (back && back.isConnected) back.focus();
  }, [open]);

  const body = (
    <>
      <div className="dialog-head">
        <h2 id={`${id}-title`} className="dialog-title">
          {title}
        </h2>
      </div>
      <div className="dialog-body" id={`${id}-body`}>
        {children}
      </div>
      {footer && <div className="dialog-footer">{footer}</div>}
    </>
  );

  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' dialog-wide' : ''}`}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      aria-busy={busy || undefined}
      onCancel={(e) => {
        e.preventDefault();
        if (!busyRef.current) onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its box) closes it.
        if (e.target !== e.currentTarget || busyRef.current) return;
        const r = e.currentTarget.getBoundingClientRect();
        const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
        if (!inside) onClose();
      }}
    >
      {open &&
        (onSubmit ? (
          <form
            className="dialog-inner"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              if (!busyRef.current) onSubmit();
            }}
          >
            {body}
          </form>
        ) : (
          <div className="dialog-inner">{body}</div>
        ))}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
  busy?: boolean;
  busyLabel?: string;
  /** Shown above the buttons (role=alert). */
  error?: string | null;
  onConfirm(): void;
  onClose(): void;
}

/** A yes/no question. The safe choice (cancel) has focus first. */
export function ConfirmDialog({ open, title, children, confirmLabel, cancelLabel = '닫기', danger, busy, busyLabel = '처리 중…', error, onConfirm, onClose }: ConfirmProps) {
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      busy={busy}
      footer={
        <>
          {error && (
            <p className="dialog-error" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy} data-autofocus>
              {cancelLabel}
            </button>
            <button type="button" className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} onClick={onConfirm} disabled={busy}>
              {busy ? <Spinner label={busyLabel} /> : confirmLabel}
            </button>
          </div>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
