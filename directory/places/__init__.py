"""Places: where a typed postcode is, as exactly as the postcode lists allow."""
