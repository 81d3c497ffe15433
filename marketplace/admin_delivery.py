"""Back-office views of delivery (registered as Wagtail hooks on import)."""
