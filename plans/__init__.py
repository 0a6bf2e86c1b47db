"""Care team, lead professional and the integrated plan."""
