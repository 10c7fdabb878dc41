-- 0007_privacy: deleting an account (docs/privacy.md) redacts the personal data in the audit
-- entries about it. The audit log stays append-only for everything else: an update may only
-- replace before_json/after_json with the redaction marker; every other column must stay.
CREATE FUNCTION audit_redact_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.id = OLD.id AND NEW.at = OLD.at
     AND NEW.actor_user_id IS NOT DISTINCT FROM OLD.actor_user_id
     AND NEW.actor_apikey_id IS NOT DISTINCT FROM OLD.actor_apikey_id
     AND NEW.action = OLD.action AND NEW.entity = OLD.entity
     AND NEW.entity_id IS NOT DISTINCT FROM OLD.entity_id
     AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id
     AND (NEW.before_json IS NOT DISTINCT FROM OLD.before_json
          OR NEW.before_json = '{"redacted":true}')
     AND (NEW.after_json IS NOT DISTINCT FROM OLD.after_json
          OR NEW.after_json = '{"redacted":true}') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only (only redaction is allowed)';
END $$;
DROP TRIGGER audit_no_change ON audit_log;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_redact_only();
