"""Moving listings in and out: Open Referral / HSDS import and export, and postcode points."""
