"""What upper apps connect to the needs (``core.hooks``), in their ``AppConfig.ready()``."""

from core.hooks import Hook

# After an intake batch is written: ``needs_received.call(needs=[…], today=date)`` with the
# needs it created or changed (delivery checks them for duplicate aid).
needs_received = Hook("needs.received")

# A need's public page: each receiver ``(request, need, **state) -> (template, context)`` adds a
# panel under the need's facts (claims adds its claim panel; ``state`` carries a refused form).
need_page_panels = Hook("needs.page_panels")
