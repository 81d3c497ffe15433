"""Back-office views of feedback (registered as Wagtail hooks on import)."""
