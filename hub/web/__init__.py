"""The web layer every feature shares: templates, middleware, errors, forms, navigation."""
