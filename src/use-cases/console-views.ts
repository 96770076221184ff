import { AppError } from '../domain/errors.ts';
import type { ConsoleStore, CountedPage, PageRequest, TimelineCursor, TimelineEntry, TimelineSource } from '../domain/console-store.ts';
import type { Role, User } from '../domain/records.ts';
import type { AdminDirectory } from '../domain/report-store.ts';

export interface ConsoleDeps {
  store: ConsoleStore;
  directory: AdminDirectory;
}

/** A user's timeline page, newest first (issue 14.3). Unknown user → NOT_FOUND. */
export async function userTimeline(
  deps: ConsoleDeps,
  input: { userId: string; sources: readonly TimelineSource[]; before?: TimelineCursor; limit: number },
): Promise<CountedPage<TimelineEntry>> {
  if (!(await deps.directory.findUserSummary(input.userId))) throw new AppError('NOT_FOUND', '사용자를 찾을 수 없습니다.', { user_id: input.userId });
  return deps.store.timeline(input.userId, { sources: input.sources, before: input.before, limit: input.limit });
}

/**
 * Gives a user a role (issue 14.8). An operator cannot change their own role (so the last admin
 * cannot lock everyone out by accident). Takes effect on the user's next request (roles are read
 * per request, with the session cache's delay).
 */
export async function setUserRole(deps: ConsoleDeps, input: { actorId: string; userId: string; role: Role }): Promise<{ before: Role; user: User }> {
  if (input.actorId === input.userId) throw new AppError('FORBIDDEN', '자신의 역할은 바꿀 수 없습니다.');
  const current = await deps.directory.findUserSummary(input.userId);
  if (!current) throw new AppError('NOT_FOUND', '사용자를 찾을 수 없습니다.', { user_id: input.userId });
  const user = await deps.store.setRole(input.userId, input.role);
  if (!user) throw new AppError('NOT_FOUND', '사용자를 찾을 수 없습니다.', { user_id: input.userId });
  return { before: current.user.role, user };
}

export type { PageRequest };
