"""Path converters of the marketplace's URLs.

A need's public code is letters and digits (``N`` and 9 characters from intake; other forms in
test data). Matching only those in the URL answers anything else, a NUL byte included, with a
404 before a query is made: PostgreSQL refuses NUL in text and the page would answer 500.
"""

from django.urls import register_converter


class NeedCodeConverter:
    regex = "[0-9A-Za-z]{1,12}"  # Need.code is at most 12 characters

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(NeedCodeConverter, "need_code")
