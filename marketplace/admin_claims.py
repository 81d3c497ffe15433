"""Back-office views of claims (registered as Wagtail hooks on import)."""
