-- What each kiosk last reported about itself (app version, outbox depth, last sync, online), with its heartbeat.
ALTER TABLE kiosks ADD COLUMN last_status jsonb;
