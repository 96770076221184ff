/** Our own simple marks for the payment methods (inline SVG, nothing downloaded). */

interface MarkProps {
  /** Height in px; the width follows. */
  size?: number;
  /** Name read by screen readers; leave empty when the mark sits next to the written name. */
  label?: string;
}

export function KakaoPayMark({ size = 24, label }: MarkProps) {
  const a11y = label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': true as const };
  return (
    <svg className="pay-mark" viewBox="0 0 60 24" height={size} width={(size * 60) / 24} focusable="false" {...a11y}>
      <rect width="60" height="24" rx="7" fill="#FEE500" />
      <path d="M14 6.2c-4.1 0-7.4 2.6-7.4 5.8 0 2 1.3 3.8 3.3 4.8l-.8 3 3.4-2.3c.5.1 1 .1 1.5.1 4.1 0 7.4-2.6 7.4-5.8S18.1 6.2 14 6.2z" fill="#191919" />
      <text x="40" y="16.6" textAnchor="middle" fontSize="12.5" fontWeight="800" fill="#191919" fontFamily="Arial, Helvetica, sans-serif">pay</text>
    </svg>
  );
}

export function NaverPayMark({ size = 24, label }: MarkProps) {
  const a11y = label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': true as const };
  return (
    <svg className="pay-mark" viewBox="0 0 60 24" height={size} width={(size * 60) / 24} focusable="false" {...a11y}>
      <rect width="60" height="24" rx="7" fill="#03C75A" />
      <path d="M8 6.5h3.6l4 6V6.5H19v11h-3.6l-4-6v6H8z" fill="#fff" />
      <text x="38.5" y="16.6" textAnchor="middle" fontSize="12.5" fontWeight="800" fill="#fff" fontFamily="Arial, Helvetica, sans-serif">pay</text>
    </svg>
  );
}

export function PayMark({ method, size, label }: MarkProps & { method: string }) {
  if (method === 'kakaopay') return <KakaoPayMark size={size} label={label} />;
  if (method === 'naverpay') return <NaverPayMark size={size} label={label} />;
  return null;
}
