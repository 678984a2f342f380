-- Phone numbers are sealed at rest (migration 0003), so the compliance state names them by blind
-- index: contact_attempts.destination, compliance_opt_out_events.destination and
-- compliance_consents.destination hold 'tel:' || hex(HMAC of the number), the same key as
-- contact_points.value_hmac; e-mail addresses stay as normalized text. The masked form is kept
-- beside each attempt so that contact histories can be shown without unmasking.
alter table contact_attempts add column destination_masked text;
