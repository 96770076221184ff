import { formatKstDateTime, type NoticeText } from './subscription/notice-templates.ts';

const SERVICE = 'ShowMeTheStock';

/** The reset link mail. The link is the only copy of the token (the database keeps its hash). */
export function passwordResetNotice(a: { url: string; expiresAt: Date }): NoticeText {
  return {
    kind: 'password_reset',
    subject: `[${SERVICE}] 비밀번호 재설정 안내`,
    body:
      `비밀번호 재설정을 요청하셨습니다. 아래 링크에서 새 비밀번호를 정해 주세요.\n${a.url}\n\n` +
      `이 링크는 ${formatKstDateTime(a.expiresAt)}까지 한 번만 사용할 수 있습니다.\n` +
      `요청하지 않으셨다면 이 메일을 무시하셔도 됩니다. 비밀번호는 바뀌지 않습니다.\n${SERVICE} 드림`,
  };
}

/** Sent after a reset: tells the owner, who may not have asked for it. */
export function passwordChangedNotice(a: { at: Date; loginUrl: string; resetUrl: string }): NoticeText {
  return {
    kind: 'password_changed',
    subject: `[${SERVICE}] 비밀번호가 변경되었습니다`,
    body:
      `${formatKstDateTime(a.at)}에 계정의 비밀번호가 변경되었고, 모든 기기에서 로그아웃되었습니다.\n` +
      `새 비밀번호로 다시 로그인해 주세요: ${a.loginUrl}\n\n` +
      `직접 변경하지 않으셨다면 곧바로 비밀번호를 다시 재설정해 주세요: ${a.resetUrl}\n${SERVICE} 드림`,
  };
}
