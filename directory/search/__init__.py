"""Directory search: one interface, backends for the database's full-text index and Meilisearch."""
