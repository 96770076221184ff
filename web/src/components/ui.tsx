/** Small shared pieces: status badges, notices, skeletons, icons. */
import type { ReactNode } from 'react';
import type { Tone } from '../format.ts';

export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** An inline message. `role="alert"` for errors (read at once), status otherwise. */
export function Notice({ tone, title, children, action }: { tone: Tone; title?: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'danger' ? 'alert' : 'status'}>
      <span className="notice-icon" aria-hidden="true">
        {tone === 'danger' ? '!' : tone === 'success' ? '✓' : 'i'}
      </span>
      <div className="notice-body">
        {title && <p className="notice-title">{title}</p>}
        {children && <div className="notice-text">{children}</div>}
        {action && <div className="notice-action">{action}</div>}
      </div>
    </div>
  );
}

/** A grey block holding the place of text that is loading (no layout shift). */
export function Skeleton({ width = '100%', height = '1em', className = '' }: { width?: string; height?: string; className?: string }) {
  return <span className={`skeleton ${className}`} style={{ width, height }} aria-hidden="true" />;
}

export function Spinner({ label }: { label?: string }) {
  return (
    <span className="spinner-wrap">
      <span className="spinner" aria-hidden="true" />
      {label && <span>{label}</span>}
    </span>
  );
}

export function CheckIcon({ className = 'icon' }: { className?: string }) {
  return (
    <svg className={className} viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
      <circle cx="10" cy="10" r="10" fill="currentColor" opacity="0.14" />
      <path d="M5.8 10.3l2.7 2.7 5.7-5.8" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export function CrossIcon({ className = 'icon' }: { className?: string }) {
  return (
    <svg className={className} viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
      <circle cx="10" cy="10" r="10" fill="currentColor" opacity="0.12" />
      <path d="M7 7l6 6M13 7l-6 6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

export function LockIcon() {
  return (
    <svg className="icon" viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
      <rect x="4" y="9" width="12" height="9" rx="2" fill="currentColor" />
      <path d="M6.5 9V6.5a3.5 3.5 0 0 1 7 0V9" fill="none" stroke="currentColor" strokeWidth="2" />
    </svg>
  );
}

/** The big round icon at the top of result pages. */
export function ResultIcon({ kind }: { kind: 'success' | 'cancel' | 'fail' | 'pending' | 'login' }) {
  return (
    <div className={`result-icon result-icon-${kind}`} aria-hidden="true">
      {kind === 'success' && (
        <svg viewBox="0 0 48 48" width="48" height="48">
          <path d="M13 25l7.5 7.5L35 17" fill="none" stroke="currentColor" strokeWidth="4.5" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      )}
      {kind === 'cancel' && (
        <svg viewBox="0 0 48 48" width="48" height="48">
          <path d="M15 24h18" fill="none" stroke="currentColor" strokeWidth="4.5" strokeLinecap="round" />
        </svg>
      )}
      {kind === 'fail' && (
        <svg viewBox="0 0 48 48" width="48" height="48">
          <path d="M24 13v14M24 34v1" fill="none" stroke="currentColor" strokeWidth="4.5" strokeLinecap="round" />
        </svg>
      )}
      {kind === 'pending' && <span className="spinner spinner-lg" />}
      {kind === 'login' && (
        <svg viewBox="0 0 48 48" width="44" height="44">
          <rect x="12" y="21" width="24" height="17" rx="4" fill="currentColor" />
          <path d="M17 21v-4.5a7 7 0 0 1 14 0V21" fill="none" stroke="currentColor" strokeWidth="4" />
        </svg>
      )}
    </div>
  );
}

/** A load that failed: what went wrong and 다시 불러오기. */
export function LoadFailed({ title, error, onRetry }: { title: string; error: Error; onRetry(): void }) {
  return (
    <Notice
      tone="danger"
      title={title}
      action={
        <button type="button" className="btn btn-secondary btn-sm" onClick={onRetry}>
          다시 불러오기
        </button>
      }
    >
      {error.message}
    </Notice>
  );
}
