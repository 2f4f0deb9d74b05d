-- A counter bumped, in the changing transaction, by any change to what authenticates an API
-- call, so gateway processes can remember callers and still notice revocations made elsewhere.
CREATE TABLE auth_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO auth_revision (id, revision) VALUES (1, 0);

CREATE TRIGGER api_keys_updated AFTER UPDATE ON api_keys
BEGIN UPDATE auth_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys
BEGIN UPDATE auth_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER workspaces_updated AFTER UPDATE ON workspaces
BEGIN UPDATE auth_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER workspaces_deleted AFTER DELETE ON workspaces
BEGIN UPDATE auth_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER integrations_updated AFTER UPDATE ON integrations
BEGIN UPDATE auth_revision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER integrations_deleted AFTER DELETE ON integrations
BEGIN UPDATE auth_revision SET revision = revision + 1 WHERE id = 1; END;
