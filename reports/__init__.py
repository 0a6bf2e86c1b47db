"""Monthly monitoring for the hub manager and partners: figures, charts, CSV, feedback."""
