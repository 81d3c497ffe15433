"""Back-office views of organizations (registered as Wagtail hooks on import)."""
