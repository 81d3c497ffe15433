"""Hooks: how a lower app learns of an upper app's interest without importing it.

The apps are layered (``needs`` → ``organizations`` → ``claims`` → ``delivery``, enforced by
import-linter): a lower app never imports an upper one. Where a lower app's event matters to an
upper app (a need arrives or a claim is made, and the assistance chain must check for duplicate
aid), the lower app declares a ``Hook`` and calls it; the upper app connects its function in its
``AppConfig.ready()``. Calls run in the caller's transaction, so what they write commits or rolls
back with the event that caused it (docs/decisions/0009-apps-and-layers.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Hook:
    """A named list of functions an upper app connects and a lower app calls."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Callable[..., Any]] = []

    def connect(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Add ``receiver`` (once, however often ``ready()`` runs); usable as a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def __iter__(self) -> Iterator[Callable[..., Any]]:
        return iter(tuple(self._receivers))

    def call(self, **kwargs: Any) -> list[Any]:
        """Call every receiver with ``kwargs``, in the order they connected; their results."""
        return [receiver(**kwargs) for receiver in self]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receivers>"
