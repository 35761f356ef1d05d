"""The call history (Recents), contacts and call directory, stored in SQLite."""
