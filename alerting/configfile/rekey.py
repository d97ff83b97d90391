"""Give a row a new primary key, carrying every reference along.

Used when a file names an existing object (found by its natural key, e.g. the
*Everyone* group in a fresh database) under another id: after applying, the
database uses the file's ids, so exporting again gives the same document.
Django creates foreign keys as DEFERRABLE INITIALLY DEFERRED (PostgreSQL and
SQLite), so within the transaction the parent and the referencing rows can be
updated one after the other and the constraints are checked at commit.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import ForeignObjectRel


def rekey(obj: models.Model, new_pk: Any) -> models.Model:
    model = type(obj)
    old_pk = obj.pk
    for relation in model._meta.get_fields(include_hidden=True):
        # Reverse foreign keys, including those of many-to-many through tables.
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one):
            if not isinstance(relation, ForeignObjectRel) or not isinstance(relation.related_model, type):
                continue
            column = relation.field.attname
            manager = relation.related_model._base_manager
            manager.filter(**{column: old_pk}).update(**{column: new_pk})
    model._base_manager.filter(pk=old_pk).update(**{model._meta.pk.attname: new_pk})
    return model._base_manager.get(pk=new_pk)
