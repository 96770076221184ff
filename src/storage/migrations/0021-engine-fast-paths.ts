import { sql, type Kysely } from 'kysely';

// The trading engine's hot paths (issue 10, "Numbers"; docs/trading-engine.md, "Performance").
// - engine_reserve / engine_commit: a reservation and its commit, each one statement (one round
//   trip, its own transaction). They take the same locks in the same order as before (the user's
//   usage row of the cap period, then the reservation) and refuse to act ('stale') when the
//   user's subscription row changed since the caller computed the cap from it (its xmin), so the
//   caller's cap is never older than the lock. engine_commit writes the 80%/100% usage events
//   and their sequence numbers in the same transaction as the usage change.
// - entitlements_changed: NOTIFY 'entitlements' with 's:<user>' from the transaction of any write
//   of the user's subscription or outbox version; every service process LISTENs and drops its
//   cached entitlements of that user when the change commits. Usage and reservations have no
//   trigger: a NOTIFY makes commits queue one behind another (PostgreSQL serializes notifying
//   commits), which halved reservation throughput; the process that changes usage announces it
//   instead, batched (use-cases/entitlement-cache.ts).
const statements = [
  sql`CREATE FUNCTION engine_reserve(p_user text, p_trade text, p_id text, p_period timestamptz, p_amount bigint,
      p_created timestamptz, p_expires timestamptz, p_now timestamptz, p_sub_version text, p_limit bigint, p_allowed boolean)
    RETURNS jsonb LANGUAGE plpgsql AS $$
    DECLARE
      v_used bigint;
      v_version text;
      v_existing jsonb;
      v_live bigint;
      v_inserted jsonb;
    BEGIN
      INSERT INTO usage_months (user_id, period_start) SELECT id, p_period FROM users WHERE id = p_user
        ON CONFLICT (user_id, period_start) DO UPDATE SET used_krw = usage_months.used_krw
        RETURNING used_krw INTO v_used;
      IF NOT FOUND THEN
        RETURN jsonb_build_object('found', false);
      END IF;
      SELECT s.xmin::text INTO v_version FROM subscriptions s WHERE s.user_id = p_user;
      IF v_version IS DISTINCT FROM p_sub_version THEN
        RETURN jsonb_build_object('found', true, 'stale', true);
      END IF;
      SELECT to_jsonb(r.*) INTO v_existing FROM usage_reservations r WHERE r.user_id = p_user AND r.trade_id = p_trade;
      IF v_existing IS NULL THEN
        UPDATE usage_reservations SET status = 'expired', settled_at = p_now
          WHERE user_id = p_user AND status = 'reserved' AND expires_at <= p_now;
      END IF;
      SELECT COALESCE(SUM(amount_krw), 0) INTO v_live FROM usage_reservations
        WHERE user_id = p_user AND period_start = p_period AND status = 'reserved' AND expires_at > p_now;
      IF v_existing IS NULL AND p_allowed AND (p_limit IS NULL OR v_used + v_live + p_amount <= p_limit) THEN
        INSERT INTO usage_reservations (id, user_id, trade_id, period_start, amount_krw, status, created_at, expires_at)
          VALUES (p_id, p_user, p_trade, p_period, p_amount, 'reserved', p_created, p_expires)
          RETURNING to_jsonb(usage_reservations.*) INTO v_inserted;
      END IF;
      RETURN jsonb_build_object('found', true, 'used', v_used, 'live', v_live, 'existing', v_existing, 'inserted', v_inserted);
    END $$`,
  // p_events: the usage events that crossing 80% / 100% would write, [{id, type, payload}, …] in
  // that order (payload without used_krw, added here); only the ones crossed now are written.
  sql`CREATE FUNCTION engine_commit(p_id text, p_user text, p_amount bigint, p_now timestamptz, p_sub_version text, p_limit bigint, p_events jsonb)
    RETURNS jsonb LANGUAGE plpgsql AS $$
    DECLARE
      v_used bigint;
      v_t80 timestamptz;
      v_t100 timestamptz;
      r usage_reservations;
      v_version text;
      v_live bigint;
      v_new bigint;
      v_crossed jsonb := '[]'::jsonb;
      v_seq bigint;
      v_n int;
      v_e jsonb;
    BEGIN
      INSERT INTO usage_months (user_id, period_start) SELECT user_id, period_start FROM usage_reservations WHERE id = p_id
        ON CONFLICT (user_id, period_start) DO UPDATE SET used_krw = usage_months.used_krw
        RETURNING used_krw, threshold_80_at, threshold_100_at INTO v_used, v_t80, v_t100;
      IF NOT FOUND THEN
        RETURN jsonb_build_object('found', false);
      END IF;
      SELECT * INTO r FROM usage_reservations WHERE id = p_id FOR UPDATE;
      SELECT s.xmin::text INTO v_version FROM subscriptions s WHERE s.user_id = r.user_id;
      IF r.user_id IS DISTINCT FROM p_user OR v_version IS DISTINCT FROM p_sub_version THEN
        RETURN jsonb_build_object('found', true, 'stale', true, 'user_id', r.user_id);
      END IF;
      SELECT COALESCE(SUM(amount_krw), 0) INTO v_live FROM usage_reservations
        WHERE user_id = r.user_id AND period_start = r.period_start AND status = 'reserved' AND expires_at > p_now;
      IF r.status = 'reserved' AND r.expires_at <= p_now THEN
        UPDATE usage_reservations SET status = 'expired', settled_at = p_now WHERE id = p_id;
        r.status := 'expired';
      END IF;
      IF r.status <> 'reserved' OR p_amount > r.amount_krw THEN
        RETURN jsonb_build_object('found', true, 'reservation', to_jsonb(r), 'used', v_used, 'live', v_live);
      END IF;
      v_new := v_used + p_amount;
      IF p_limit IS NOT NULL AND p_limit > 0 THEN
        IF v_t80 IS NULL AND v_new * 100 >= p_limit * 80 THEN
          v_crossed := v_crossed || jsonb_build_array(p_events -> 0);
          v_t80 := p_now;
        END IF;
        IF v_t100 IS NULL AND v_new * 100 >= p_limit * 100 THEN
          v_crossed := v_crossed || jsonb_build_array(p_events -> 1);
          v_t100 := p_now;
        END IF;
      END IF;
      UPDATE usage_reservations SET status = 'committed', committed_krw = p_amount, settled_at = p_now WHERE id = p_id;
      UPDATE usage_months SET used_krw = v_new, threshold_80_at = v_t80, threshold_100_at = v_t100
        WHERE user_id = r.user_id AND period_start = r.period_start;
      IF p_amount > 0 THEN
        INSERT INTO usage_events (user_id, feature, occurred_at, recorded_by) VALUES (r.user_id, 'auto_trading', p_now, 'engine');
      END IF;
      v_n := jsonb_array_length(v_crossed);
      IF v_n > 0 THEN
        INSERT INTO engine_event_sequences (user_id, last_seq) VALUES (r.user_id, v_n)
          ON CONFLICT (user_id) DO UPDATE SET last_seq = engine_event_sequences.last_seq + excluded.last_seq
          RETURNING last_seq INTO v_seq;
        FOR i IN 0 .. v_n - 1 LOOP
          v_e := v_crossed -> i;
          INSERT INTO engine_events (id, user_id, seq, type, payload, occurred_at, created_at)
            VALUES (v_e ->> 'id', r.user_id, v_seq - v_n + 1 + i, v_e ->> 'type',
              (v_e -> 'payload') || jsonb_build_object('used_krw', v_new), p_now, p_now);
        END LOOP;
      END IF;
      r.status := 'committed';
      r.committed_krw := p_amount;
      r.settled_at := p_now;
      RETURN jsonb_build_object('found', true, 'committed', true, 'reservation', to_jsonb(r), 'used', v_new, 'live', v_live);
    END $$`,
  sql`CREATE FUNCTION entitlements_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      v_user text;
    BEGIN
      IF TG_OP = 'DELETE' THEN v_user := OLD.user_id; ELSE v_user := NEW.user_id; END IF;
      PERFORM pg_notify('entitlements', TG_ARGV[0] || ':' || v_user);
      IF TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id THEN
        PERFORM pg_notify('entitlements', TG_ARGV[0] || ':' || OLD.user_id);
      END IF;
      RETURN NULL;
    END $$`,
  sql`CREATE TRIGGER subscriptions_entitlements AFTER INSERT OR UPDATE OR DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION entitlements_changed('s')`,
  sql`CREATE TRIGGER engine_event_sequences_entitlements AFTER INSERT OR UPDATE OR DELETE ON engine_event_sequences
    FOR EACH ROW EXECUTE FUNCTION entitlements_changed('s')`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of statements) await s.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS engine_event_sequences_entitlements ON engine_event_sequences`.execute(db);
  await sql`DROP TRIGGER IF EXISTS subscriptions_entitlements ON subscriptions`.execute(db);
  await sql`DROP FUNCTION IF EXISTS entitlements_changed()`.execute(db);
  await sql`DROP FUNCTION IF EXISTS engine_commit(text, text, bigint, timestamptz, text, bigint, jsonb)`.execute(db);
  await sql`DROP FUNCTION IF EXISTS engine_reserve(text, text, text, timestamptz, bigint, timestamptz, timestamptz, timestamptz, text, bigint, boolean)`.execute(db);
}
