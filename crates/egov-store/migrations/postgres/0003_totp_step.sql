-- TOTP replay protection: the last time step whose code was used (RFC 6238 §5.2).
ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT;
