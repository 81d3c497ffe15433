"""What the API's serializers share."""

from __future__ import annotations

import copy


class FieldsBuiltOnce:
    """Mix into a ``ModelSerializer`` whose fields depend on its class only (nothing per
    request): DRF builds a model serializer's fields from the model for every instance, about
    0.6 ms for a dozen fields on every answer; these are built once per class and each
    instance gets a copy of them, as DRF gives each one a copy of its declared fields."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built")  # this class's own, not a parent's
        if built is None:
            built = super().get_fields()
            cls._fields_built = built
        return copy.deepcopy(built)
