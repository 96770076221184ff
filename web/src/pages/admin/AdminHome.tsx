/** /admin: the revenue dashboard for roles with reports, otherwise the queue counts. */
import { useCan } from '../../auth.tsx';
import { AdminDashboard } from './AdminDashboard.tsx';
import { AdminShell } from './AdminShell.tsx';
import { QueueSummaryCards } from './AdminQueuesPage.tsx';

export function AdminHome() {
  const can = useCan();
  if (can('reports.read')) return <AdminDashboard />;
  return (
    <AdminShell>
      <h2 className="section-title">운영 현황</h2>
      <QueueSummaryCards />
    </AdminShell>
  );
}
