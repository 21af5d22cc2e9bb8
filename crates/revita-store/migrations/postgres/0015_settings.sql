-- Settings of the database itself, one value per name: the code scheme its
-- regions follow (`code_scheme`: `china`, or the level names root first),
-- so that every later command and server reads the codes the same way
-- without repeating `--profile`.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
