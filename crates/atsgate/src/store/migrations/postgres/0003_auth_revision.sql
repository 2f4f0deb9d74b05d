-- A counter bumped, in the changing transaction, by any change to what authenticates an API
-- call, so gateway nodes can remember callers and still notice revocations made elsewhere.
CREATE TABLE auth_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO auth_revision (id, revision) VALUES (1, 0);

CREATE FUNCTION bump_auth_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_revision SET revision = revision + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

-- Deferred to commit, so the counter's row lock is always the last one a transaction takes:
-- two transactions changing several rows cannot deadlock on it.
CREATE CONSTRAINT TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON api_keys
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_auth_revision();
CREATE CONSTRAINT TRIGGER workspaces_changed AFTER UPDATE OR DELETE ON workspaces
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_auth_revision();
CREATE CONSTRAINT TRIGGER integrations_changed AFTER UPDATE OR DELETE ON integrations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_auth_revision();
