"""Storage: engine, tables and migrations."""
