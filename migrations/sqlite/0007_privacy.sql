-- 0007_privacy: deleting an account (docs/privacy.md) redacts the personal data in the audit
-- entries about it. The audit log stays append-only for everything else: an update may only
-- replace before_json/after_json with the redaction marker; every other column must stay.
DROP TRIGGER audit_no_update;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
  OR NEW.actor_user_id IS NOT OLD.actor_user_id OR NEW.actor_apikey_id IS NOT OLD.actor_apikey_id
  OR NEW.action IS NOT OLD.action OR NEW.entity IS NOT OLD.entity
  OR NEW.entity_id IS NOT OLD.entity_id OR NEW.request_id IS NOT OLD.request_id
  OR (NEW.before_json IS NOT OLD.before_json AND NEW.before_json IS NOT '{"redacted":true}')
  OR (NEW.after_json IS NOT OLD.after_json AND NEW.after_json IS NOT '{"redacted":true}')
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (only redaction is allowed)'); END;
