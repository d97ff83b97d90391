"""What every configuration resource shares: scopes, the documented error
answers, and turning a model's ``clean()`` errors into 400 field errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from alerting.api.auth import AdminScope, ReadScope

ERROR_BODY = inline_serializer(
    name="ErrorBody",
    fields={
        "errors": serializers.DictField(
            help_text="Field name → list of messages; errors about the request as a whole are under "
            '"detail". '
            "Nested objects (levels, steps) keep their structure, a list item's errors under its index."
        )
    },
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ERROR_BODY, description=description)


BAD_REQUEST = _error("Invalid input; the field errors say which field and why.")
UNAUTHENTICATED = _error("No API key, or an invalid or revoked one.")
FORBIDDEN = _error("The API key's scope does not allow this (writes need the admin scope).")
NOT_FOUND = _error("No object with this id.")

READ_ERRORS = {401: UNAUTHENTICATED, 403: FORBIDDEN}
OBJECT_ERRORS = {401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}
WRITE_ERRORS = {400: BAD_REQUEST, 401: UNAUTHENTICATED, 403: FORBIDDEN}
OBJECT_WRITE_ERRORS = {400: BAD_REQUEST, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}


def document(resource: str, serializer: type[serializers.Serializer], tag: str) -> Any:
    """Describe the six actions of a configuration viewset in the OpenAPI schema."""

    def ok(status: int) -> dict[int, Any]:
        return {status: serializer}

    return extend_schema_view(
        list=extend_schema(
            tags=[tag], summary=f"List {resource}", responses={200: serializer(many=True), **READ_ERRORS}
        ),
        create=extend_schema(
            tags=[tag], summary=f"Create one of the {resource}", responses={**ok(201), **WRITE_ERRORS}
        ),
        retrieve=extend_schema(
            tags=[tag], summary=f"Read one of the {resource}", responses={**ok(200), **OBJECT_ERRORS}
        ),
        update=extend_schema(
            tags=[tag], summary=f"Replace one of the {resource}", responses={**ok(200), **OBJECT_WRITE_ERRORS}
        ),
        partial_update=extend_schema(
            tags=[tag],
            summary=f"Change some fields of one of the {resource}",
            responses={**ok(200), **OBJECT_WRITE_ERRORS},
        ),
        destroy=extend_schema(
            tags=[tag],
            summary=f"Delete one of the {resource}",
            responses={204: None, **OBJECT_WRITE_ERRORS},
        ),
    )


class ConfigViewSet(viewsets.ModelViewSet):
    """Reading needs the read scope; changing anything needs the admin scope.

    Configuration holds no secret in its answers (secrets are write-only), so a
    read key that may see incidents and messages may see it as well.
    """

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request is not None and self.request.method in permissions.SAFE_METHODS:
            return [ReadScope()]
        return [AdminScope()]

    # Nested objects are written in several statements; all or nothing.
    @transaction.atomic
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(
            serializer.data,
            status=status.HTTP_201_CREATED,
            headers={"Location": self.location(serializer.instance)},  # type: ignore[arg-type]
        )

    def location(self, instance: models.Model) -> str:
        """The created object's own URL. (DRF's default ``Location`` is the
        body's ``url`` field, which for a monitor is the monitored site.)"""
        return self.reverse_action("detail", kwargs={self.lookup_url_kwarg or self.lookup_field: instance.pk})

    @transaction.atomic
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().update(request, *args, **kwargs)

    @transaction.atomic
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().destroy(request, *args, **kwargs)


def check_clean(instance: models.Model) -> None:
    """Run the model's own ``clean()`` (the rules the admin applies) as a 400."""
    try:
        instance.clean()
    except DjangoValidationError as exc:
        raise serializers.ValidationError(serializers.as_serializer_error(exc)) from None


def refuse(message: str, field: str = "detail") -> None:
    raise serializers.ValidationError({field: [message]})
