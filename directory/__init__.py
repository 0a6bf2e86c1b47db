"""The directory: organisations' services (HSDS / Open Referral UK), search and signposting."""
