import { Skeleton } from '../../components/ui.tsx';

/** Placeholder of the status and features cards while 내 구독 loads. */
export function SubscriptionSkeleton() {
  return (
    <div className="sub-grid" aria-hidden="true">
      <section className="card">
        <Skeleton width="30%" height="1.2rem" />
        <Skeleton width="50%" height="2.2rem" />
        <div className="kv">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} width="100%" height="1.25rem" />
          ))}
        </div>
      </section>
      <section className="card">
        <Skeleton width="40%" height="1.2rem" />
        <div className="kv">
          {[0, 1, 2, 3, 4].map((i) => (
            <Skeleton key={i} width="100%" height="1.25rem" />
          ))}
        </div>
      </section>
    </div>
  );
}
