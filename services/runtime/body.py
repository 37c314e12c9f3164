"""JSON request bodies: how every service declares one.

A route takes its body as a dependency, never as a plain model parameter::

    def post_vacancy(body: Annotated[VacancyIn, Depends(JsonBody(VacancyIn))], ...) -> VacancyOut:

Why not FastAPI's own body parameters: FastAPI decodes the JSON and then validates the dict in
pydantic's *Python* mode, where the strict shared types of ``schemas`` (``Industry``, ``Skill``, the
event models) accept only real ``date`` objects and enum members, so ``"C"`` for an industry section
is refused. ``JsonBody`` validates the raw bytes with ``model_validate_json`` (JSON mode), which reads
codes and ISO dates from their natural JSON form, so request models can use the shared types as they
are. FastAPI (0.16x) has no setting for this.

Errors are FastAPI's own ``RequestValidationError`` with ``body.<field>`` locations and without input
values (they may be personal data), so the runtime's problem handler answers as it does for any
body: 400 for malformed JSON, 422 naming the field otherwise. The edge cases follow FastAPI: an empty
body is a missing ``body``, a content type other than ``application/json`` (or ``…+json``) a ``body``
that is not an object — a browser cannot send a cross-site JSON body without a CORS preflight. The
1 MiB limit (413) applies while the body is read.

Declare ``JsonBody`` after any dependency that authenticates or authorises: dependencies run in
order, so a client without access gets 401/403, not a list of its body's mistakes.

FastAPI does not see these bodies, so the runtime documents them: :class:`JsonBodyRoute` (the base
of ``write_router()``'s route class) gives the operation its ``requestBody``, and
:func:`document_json_bodies` (installed by ``create_service_app``) puts the model's schema and its
definitions in ``components/schemas``, as FastAPI does for its own body parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
REF_TEMPLATE = "#/components/schemas/{model}"


class JsonBody(Generic[M]):
    """Dependency returning the request body validated as ``model`` in pydantic's JSON mode."""

    def __init__(self, model: type[M]) -> None:
        self.model = model

    async def __call__(self, request: Request) -> M:
        raw = await request.body()
        if not raw:
            raise _body_error("missing", "Field required")
        if not is_json(request.headers.get("content-type")):
            raise _body_error("model_attributes_type", "Input should be a valid dictionary or object")
        try:
            return self.model.model_validate_json(raw)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False)
            raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None


def is_json(content_type: str | None) -> bool:
    """Whether a Content-Type header names JSON: ``application/json`` or ``application/<x>+json``."""
    media_type = (content_type or "").partition(";")[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def _body_error(kind: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": kind, "loc": ("body",), "msg": message}])


# --- OpenAPI ------------------------------------------------------------------------------------


class JsonBodyRoute(APIRoute):
    """Route class documenting the route's ``JsonBody`` as its OpenAPI ``requestBody``.

    ``write_router()`` routes have it (``UnitOfWorkRoute`` derives from it); a router of other routes
    taking a body is ``APIRouter(route_class=JsonBodyRoute)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model = body_model(self.dependant)
        if model is not None:
            self.openapi_extra = {"requestBody": request_body(model), **(self.openapi_extra or {})}


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of ``model``, as FastAPI writes it: a ``$ref`` to the model's schema.

    The schema and its definitions travel in ``$defs`` until :func:`hoist_definitions` moves them to
    ``components/schemas``.
    """
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    definitions = schema.pop("$defs", {})
    if "$ref" not in schema:  # (a recursive model is already a reference)
        definitions[model.__name__] = schema
        schema = {"$ref": REF_TEMPLATE.format(model=model.__name__)}
    return {"required": True, "content": {"application/json": {"schema": schema | {"$defs": definitions}}}}


def body_model(dependant: Dependant) -> type[BaseModel] | None:
    """The model of the one ``JsonBody`` among a route's dependencies (searched depth-first), if any."""
    found = {dep.call.model for dep in _walk(dependant) if isinstance(dep.call, JsonBody)}
    if len(found) > 1:
        raise TypeError(f"one route, several JSON bodies: {sorted(m.__qualname__ for m in found)}")
    return found.pop() if found else None


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _walk(sub)


def document_json_bodies(app: FastAPI) -> None:
    """Make ``app.openapi()`` a valid document with ``JsonBody`` bodies: FastAPI's, definitions hoisted."""
    fastapi_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        document = fastapi_openapi()
        hoist_definitions(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def hoist_definitions(document: dict[str, Any]) -> None:
    """Move the ``$defs`` of request body schemas to ``components/schemas``, where their refs point.

    Idempotent (FastAPI caches the document). Request bodies are rebuilt, not changed in place: they
    may be the routes' own ``openapi_extra``. Two different definitions under one name would make one
    of them wrong, so that is an error.
    """
    components: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for path in document.get("paths", {}).values():
        for operation in path.values():
            body = operation.get("requestBody")
            if not body or not any("$defs" in media.get("schema", {}) for media in body["content"].values()):
                continue
            content = {}
            for media_type, media in body["content"].items():
                schema = dict(media.get("schema", {}))
                for name, definition in schema.pop("$defs", {}).items():
                    if components.get(name, definition) != definition:
                        raise RuntimeError(f"OpenAPI: two different schemas named {name!r}")
                    components[name] = definition
                content[media_type] = media | {"schema": schema}
            operation["requestBody"] = body | {"content": content}
