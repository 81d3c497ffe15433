"""What upper apps connect to the organizations (``core.hooks``), in their ``AppConfig.ready()``."""

from core.hooks import Hook

# An organization was written (registered, verified, suspended, edited):
# ``organizations_changed.call(organization_ids=[…])`` inside the writing transaction;
# ``Organization.save`` calls it. Search re-reads what the public sees of them after commit.
organizations_changed = Hook("organizations.changed")

# An organization's public page: each receiver ``(organization) -> (template, context)`` adds a
# section under its facts (matching lists its open offers and charity projects there).
organization_page_sections = Hook("organizations.page_sections")
