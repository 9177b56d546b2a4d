-- Version 2: settings every replica shares. `token-key` signs the paging and delta tokens the
-- mocks give (128 random bits, as hex), so that a link one replica gave is followed at another,
-- and after a restart.
CREATE TABLE graph_mock_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO graph_mock_settings (name, value)
VALUES ('token-key', replace(gen_random_uuid()::text, '-', ''));
