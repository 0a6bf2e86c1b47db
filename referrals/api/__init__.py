"""The partner JSON API at /api/v1: an organisation's own case system works its referrals."""
