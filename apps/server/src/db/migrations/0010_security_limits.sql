-- Rate limits shared by every replica, and pre-tenant tables the app role reaches only through narrow functions.

-- Fixed-window counters keyed by what is limited (an address, an account, a pairing code, a kiosk). Pre-tenant like
-- login_emails: the app role has no direct access, only app_rate_limit_hit/app_rate_limit_reset.
CREATE TABLE rate_limits (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  count integer NOT NULL
);
CREATE INDEX rate_limits_expiry ON rate_limits (expires_at);
REVOKE ALL ON rate_limits FROM atrium_app;

-- Counts one attempt on each key (one atomic upsert per key, in key order so concurrent callers never deadlock) and
-- returns, per key, the count in the current window and the seconds until that window ends. Expired windows restart.
CREATE FUNCTION app_rate_limit_hit(p_keys text[], p_windows integer[], p_now timestamptz)
  RETURNS TABLE (key text, count integer, retry_after integer)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$
#variable_conflict use_column
DECLARE
  i bigint;
  v_count integer;
  v_expires timestamptz;
BEGIN
  IF coalesce(array_length(p_keys, 1), 0) <> coalesce(array_length(p_windows, 1), 0) THEN
    RAISE EXCEPTION 'app_rate_limit_hit: one window per key';
  END IF;
  FOR i IN SELECT k.ord FROM unnest(p_keys) WITH ORDINALITY AS k (name, ord) ORDER BY k.name LOOP
    INSERT INTO public.rate_limits AS r (key, window_start, expires_at, count)
    VALUES (p_keys[i], p_now, p_now + make_interval(secs => p_windows[i]), 1)
    ON CONFLICT ON CONSTRAINT rate_limits_pkey DO UPDATE SET
      window_start = CASE WHEN r.expires_at <= p_now THEN excluded.window_start ELSE r.window_start END,
      expires_at = CASE WHEN r.expires_at <= p_now THEN excluded.expires_at ELSE r.expires_at END,
      count = CASE WHEN r.expires_at <= p_now THEN 1 ELSE r.count + 1 END
    RETURNING r.count, r.expires_at INTO v_count, v_expires;
    key := p_keys[i];
    count := v_count;
    retry_after := greatest(1, ceil(extract(epoch FROM v_expires - p_now))::integer);
    RETURN NEXT;
  END LOOP;
END $$;

-- Forgets keys (a successful sign-in clears that account's failures from that address).
CREATE FUNCTION app_rate_limit_reset(p_keys text[]) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$ DELETE FROM public.rate_limits WHERE key = ANY (p_keys) $$;

-- Returns an attempt that turned out not to count (a code that paired: only wrong codes count toward the cap).
CREATE FUNCTION app_rate_limit_refund(p_keys text[], p_now timestamptz) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$ UPDATE public.rate_limits SET count = count - 1 WHERE key = ANY (p_keys) AND expires_at > p_now AND count > 0 $$;

-- Expired windows, deleted by the hourly job.
CREATE FUNCTION app_rate_limit_sweep(p_now timestamptz) RETURNS integer
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$
  WITH gone AS (DELETE FROM public.rate_limits WHERE expires_at <= p_now RETURNING 1) SELECT count(*)::integer FROM gone
$$;

-- login_emails holds the staff emails of every tenant: the app role may not read it, only look up one email.
REVOKE ALL ON login_emails FROM atrium_app;

CREATE FUNCTION app_login_lookup(p_email text) RETURNS TABLE (tenant_id uuid, user_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$ SELECT l.tenant_id, l.user_id FROM public.login_emails l WHERE l.email = p_email $$;

-- Registers or changes the sign-in email of a user of the current tenant (set by withTenant) and nobody else's.
CREATE FUNCTION app_login_email_set(p_user uuid, p_email text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$
DECLARE
  v_rows integer;
BEGIN
  IF app_current_tenant() IS NULL THEN
    RAISE EXCEPTION 'app_login_email_set needs a tenant' USING ERRCODE = '42501';
  END IF;
  INSERT INTO public.login_emails (email, tenant_id, user_id) VALUES (p_email, app_current_tenant(), p_user)
  ON CONFLICT (user_id) DO UPDATE SET email = excluded.email WHERE login_emails.tenant_id = app_current_tenant();
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  IF v_rows = 0 THEN
    RAISE EXCEPTION 'app_login_email_set: not a user of this tenant' USING ERRCODE = '42501';
  END IF;
END $$;

-- pairing_codes: a kiosk's code before it belongs to a tenant. The app role reaches one row at a time.
REVOKE ALL ON pairing_codes FROM atrium_app;

-- A new code; false when that code is live already (an expired holder of the code is cleared first).
CREATE FUNCTION app_pairing_start(p_code text, p_device_code_hash text, p_expires_at timestamptz, p_now timestamptz)
  RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$
DECLARE
  v_id uuid;
BEGIN
  DELETE FROM public.pairing_codes WHERE code = p_code AND expires_at < p_now;
  INSERT INTO public.pairing_codes (code, device_code_hash, expires_at) VALUES (p_code, p_device_code_hash, p_expires_at)
  ON CONFLICT (code) DO NOTHING RETURNING id INTO v_id;
  RETURN v_id IS NOT NULL;
END $$;

-- The kiosk's poll: records the poll (and the delivery, once bound) and returns the row as it was before.
CREATE FUNCTION app_pairing_poll(p_device_code_hash text, p_now timestamptz)
  RETURNS TABLE (expires_at timestamptz, last_poll_at timestamptz, tenant_id uuid, kiosk_id uuid, delivered_at timestamptz)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$
#variable_conflict use_column
DECLARE
  v public.pairing_codes%ROWTYPE;
BEGIN
  SELECT * INTO v FROM public.pairing_codes p WHERE p.device_code_hash = p_device_code_hash FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  UPDATE public.pairing_codes p SET last_poll_at = p_now,
         delivered_at = CASE WHEN v.kiosk_id IS NOT NULL AND v.delivered_at IS NULL THEN p_now ELSE p.delivered_at END
   WHERE p.id = v.id;
  expires_at := v.expires_at;
  last_poll_at := v.last_poll_at;
  tenant_id := v.tenant_id;
  kiosk_id := v.kiosk_id;
  delivered_at := v.delivered_at;
  RETURN NEXT;
END $$;

-- Binds a live, unbound code to a kiosk of the current tenant; false when no kiosk shows that code.
CREATE FUNCTION app_pairing_bind(p_code text, p_kiosk uuid, p_now timestamptz) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$
DECLARE
  v_id uuid;
BEGIN
  IF app_current_tenant() IS NULL THEN
    RAISE EXCEPTION 'app_pairing_bind needs a tenant' USING ERRCODE = '42501';
  END IF;
  UPDATE public.pairing_codes SET tenant_id = app_current_tenant(), kiosk_id = p_kiosk
   WHERE code = p_code AND expires_at > p_now AND kiosk_id IS NULL RETURNING id INTO v_id;
  RETURN v_id IS NOT NULL;
END $$;

REVOKE ALL ON FUNCTION app_rate_limit_hit(text[], integer[], timestamptz), app_rate_limit_reset(text[]),
  app_rate_limit_refund(text[], timestamptz), app_rate_limit_sweep(timestamptz), app_login_lookup(text),
  app_login_email_set(uuid, text), app_pairing_start(text, text, timestamptz, timestamptz),
  app_pairing_poll(text, timestamptz), app_pairing_bind(text, uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_rate_limit_hit(text[], integer[], timestamptz), app_rate_limit_reset(text[]),
  app_rate_limit_refund(text[], timestamptz), app_rate_limit_sweep(timestamptz), app_login_lookup(text),
  app_login_email_set(uuid, text), app_pairing_start(text, text, timestamptz, timestamptz),
  app_pairing_poll(text, timestamptz), app_pairing_bind(text, uuid, timestamptz) TO atrium_app;
