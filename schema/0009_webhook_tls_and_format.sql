-- 0009_webhook_tls_and_format: WEBHOOK channels over https (issue 18).
-- ca_file: a PEM file of the certificate authorities a private https
--   endpoint's certificate must chain to (NULL: the system trust store).
-- format: the body's shape — 'json' (Spate's alert object, as before),
--   'slack' (an incoming-webhook message) or 'pagerduty' (an Events API v2
--   trigger, which needs routing_key: the integration key, a secret that
--   SELECT on `channels` does not show).
ALTER TABLE channels ADD COLUMN ca_file TEXT;
ALTER TABLE channels ADD COLUMN format TEXT NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack', 'pagerduty'));
ALTER TABLE channels ADD COLUMN routing_key TEXT;
