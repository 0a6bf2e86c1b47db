"""Open Referral UK 3.0: the public read API and the mapping between listings and HSDS JSON."""
