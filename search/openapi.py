"""The OpenAPI 3.1 description of the JSON API (search/api.py), served at /api/v1/schema.

Written by hand, but every list of values comes from the constants the views and the form use
(sorts, recognition levels, commendation forms, page sizes, years, the parameter names
themselves), so the document cannot drift from what the API accepts. Descriptions are in English:
this is documentation for developers, like the README, not a screen of the site.
"""

from models_registry.models import FIRST_YEAR, CommendationForm, RecognitionLevel, last_allowed_year
from stats.forms import PARAMETERS as STATS_PARAMETERS
from stats.selectors import GROUP_BYS as STATS_GROUP_BYS

from . import api
from .forms import MAX_RAW_QUERY, MAX_VALUES
from .query import DEFAULT_PAGE_SIZE, FACETS, MAX_PAGE_SIZE, SORT_RELEVANCE, SORTS

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    """A closed object: every property required unless listed as optional, no other property."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}


def _multi(description: str, items: dict) -> dict:
    return {
        "in": "query",
        "required": False,
        "description": description
        + f" Several values: repeat the parameter or separate them with commas (at most {MAX_VALUES}).",
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": items, "maxItems": MAX_VALUES},
    }


def _list_parameter_docs() -> dict[str, dict]:
    """Every parameter of GET /api/v1/models/, by name."""
    return {
        "q": {
            "in": "query",
            "required": False,
            "description": "Search words, in Vietnamese with or without diacritics; quoted parts are phrases. "
            "Any text is accepted (control characters and query syntax are plain text). "
            f"Input past {MAX_RAW_QUERY} characters is ignored.",
            "schema": {"type": "string"},
        },
        "movement": _multi("Movement slugs.", {"type": "string", "examples": ["dan-van-kheo"]}),
        "field": _multi("Field slugs.", {"type": "string", "examples": ["kinh-te"]}),
        "unit": _multi("Unit codes; each includes every unit below it.", {"type": "string", "examples": ["HN-CG"]}),
        "year": _multi("Years.", {"type": "integer", "minimum": FIRST_YEAR, "maximum": last_allowed_year()}),
        "level": _multi("Recognition levels.", {"type": "string", "enum": list(RecognitionLevel.values)}),
        "form": _multi(
            "Commendation forms: models commended with any of them.",
            {"type": "string", "enum": list(CommendationForm.values)},
        ),
        "sort": {
            "in": "query",
            "required": False,
            "description": "Order of the results; relevance without q means newest; replicated: the models "
            "most other units have adopted first (replication_count), then newest.",
            "schema": {"type": "string", "enum": list(SORTS), "default": SORT_RELEVANCE},
        },
        "page": {
            "in": "query",
            "required": False,
            "description": "Page number from 1. A page past the last one answers the last page; "
            "the answer's `page` says which.",
            "schema": {"type": "integer", "minimum": 1, "default": 1},
        },
        "page_size": {
            "in": "query",
            "required": False,
            "description": "Results per page.",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
        },
    }


def _stats_parameter_docs() -> dict[str, dict]:
    listed = _list_parameter_docs()
    return {
        "group_by": {
            "in": "query",
            "required": True,
            "description": "What to count by.",
            "schema": {"type": "string", "enum": list(STATS_GROUP_BYS)},
        },
        **{name: listed[name] for name in STATS_PARAMETERS if name in listed and name != "q"},
    }


def _suggest_parameter_docs() -> dict[str, dict]:
    return {
        "q": {
            "in": "query",
            "required": False,
            "description": "The beginning of a title, with or without diacritics; empty gives no suggestions.",
            "schema": {"type": "string"},
        },
        "limit": {
            "in": "query",
            "required": False,
            "description": f"How many suggestions at most; larger values are capped at {api.MAX_SUGGEST_LIMIT}.",
            "schema": {"type": "integer", "minimum": 1, "default": api.DEFAULT_SUGGEST_LIMIT},
        },
    }


def _parameters(docs: dict[str, dict], names: tuple[str, ...]) -> list[dict]:
    # A parameter the view reads but nobody documented fails here with a KeyError, in the tests.
    return [{"name": name, **docs[name]} for name in names]


def _schemas() -> dict[str, dict]:
    facet_entry = _object(
        {"value": STRING, "label": STRING, "count": {"type": "integer", "minimum": 0}, "selected": BOOLEAN}
    )
    result_properties = {
        "id": INTEGER,
        "external_id": _nullable(STRING),
        "title": STRING,
        "url": {"type": ["string", "null"], "format": "uri", "description": "The model's public page."},
        "summary": STRING,
        "unit": _object({"code": STRING, "name": STRING}),
        "movement": _object({"slug": STRING, "name": STRING}),
        "field": _nullable(_object({"slug": STRING, "name": STRING})),
        "year": INTEGER,
        "recognition_level": {"type": ["string", "null"], "enum": [*RecognitionLevel.values, None]},
        "replication_count": {
            "type": "integer",
            "minimum": 0,
            "description": "How many other units run a published model adopted from this one (nhân rộng).",
        },
        "highlight": {
            **_object({"title": STRING, "summary": STRING, "body": STRING}, optional=("title", "summary", "body")),
            "description": "HTML: the escaped text with the matched words in <mark>; only the parts that "
            "matched, {} without a query.",
        },
    }
    return {
        "Result": _object(result_properties),
        "FacetEntry": facet_entry,
        "YearFacetEntry": {**facet_entry, "properties": {**facet_entry["properties"], "value": INTEGER}},
        "UnitFacetEntry": _object({**facet_entry["properties"], "has_children": BOOLEAN}),
        "ModelList": _object(
            {
                "count": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                "num_pages": {"type": "integer", "minimum": 1},
                "degraded": {
                    "type": "boolean",
                    "description": "True when the database answered because Elasticsearch failed.",
                },
                "results": {"type": "array", "items": _ref("Result")},
                "facets": _object(
                    {
                        name: {
                            "type": "array",
                            "items": _ref(
                                {"year": "YearFacetEntry", "unit": "UnitFacetEntry"}.get(name, "FacetEntry")
                            ),
                        }
                        for name in FACETS
                    }
                ),
            }
        ),
        "ModelDetail": _object(
            {
                **result_properties,
                "story": {"type": "string", "description": "The story as plain text."},
                "results": {"type": "string", "description": "The results in words."},
                "measured_results": {
                    "type": "array",
                    "items": _object(
                        {
                            "label": STRING,
                            "value": {"type": "string", "description": "A decimal number, e.g. 1234.50."},
                            "unit_of_measure": STRING,
                        }
                    ),
                },
                "cover_image": {"type": ["string", "null"], "format": "uri"},
                "commendations": {
                    "type": "array",
                    "items": _object(
                        {
                            "form": {"type": "string", "enum": list(CommendationForm.values)},
                            "form_label": STRING,
                            "level": {"type": "string", "enum": list(RecognitionLevel.values)},
                            "level_label": STRING,
                            "title": STRING,
                            "decision_number": STRING,
                            "decision_date": {"type": "string", "format": "date"},
                            "issuing_body": STRING,
                        }
                    ),
                },
                "first_published_at": {"type": ["string", "null"], "format": "date-time"},
                "replicated_from": {
                    **_nullable(_object({"id": INTEGER, "title": STRING, "url": _nullable(STRING)})),
                    "description": "The published model this one was adopted from; null when none or "
                    "when that model is not published.",
                },
            }
        ),
        "Suggestions": _object(
            {
                "query": STRING,
                "suggestions": {
                    "type": "array",
                    "maxItems": api.MAX_SUGGEST_LIMIT,
                    "items": _object({"id": INTEGER, "title": STRING, "url": _nullable(STRING)}),
                },
            }
        ),
        "Stats": _object(
            {
                "group_by": {"type": "string", "enum": list(STATS_GROUP_BYS)},
                "total": {"type": "integer", "description": "Equals /models/ `count` for the same filters."},
                "groups": {
                    "type": "array",
                    "items": _object(
                        {
                            "value": {
                                "type": ["string", "integer", "null"],
                                "description": "Slug, unit code or year; null for the models without a field "
                                "or without a recognition level.",
                            },
                            "label": STRING,
                            "count": INTEGER,
                            "has_children": {
                                "type": "boolean",
                                "description": "group_by=unit only: there are units below to drill into.",
                            },
                        },
                        optional=("has_children",),
                    ),
                },
                "parent": {
                    "type": ["object", "null"],
                    "description": "group_by=unit only: the unit the groups are directly below (null: the top).",
                    "properties": {"code": STRING, "name": STRING},
                },
            },
            optional=("parent",),
        ),
        "ParameterError": _object(
            {
                "error": _object({"parameter": STRING, "message": STRING}),
                "errors": {"type": "object", "additionalProperties": STRING},
            }
        ),
        "Error": _object({"error": _object({"message": STRING})}),
    }


def _json_content(schema_name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}


def _common_errors() -> dict:
    return {
        "405": _json_content("Error", "Any method other than GET or HEAD."),
        "429": _json_content("Error", "Too many requests from this address: wait Retry-After seconds."),
        "503": _json_content("Error", "Search is unavailable (even the database fallback failed)."),
    }


def build_schema(*, server_url: str = "/") -> dict:
    """The OpenAPI document; `server_url` is where this API is served."""
    bad_parameter = _json_content("ParameterError", "A bad parameter, named in error.parameter.")
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Practice models registry API",
            "version": API_VERSION,
            "description": "Published good-practice models (mô hình) of the emulation movements: search, "
            "filters with facet counts, details with commendations. Open data: read-only, GET only, "
            "CORS open to any origin.",
        },
        "servers": [{"url": server_url.rstrip("/") + "/api/v1"}],
        "paths": {
            "/models/": {
                "get": {
                    "operationId": "listModels",
                    "summary": "Search and filter published models",
                    "parameters": _parameters(_list_parameter_docs(), api.LIST_PARAMETERS),
                    "responses": {
                        "200": _json_content("ModelList", "One page of models, with facets."),
                        "400": bad_parameter,
                        **_common_errors(),
                    },
                }
            },
            "/models/{id}/": {
                "get": {
                    "operationId": "getModel",
                    "summary": "One published model with its commendations",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": INTEGER}],
                    "responses": {
                        "200": _json_content("ModelDetail", "The model."),
                        "404": _json_content("Error", "No published model has this id."),
                        **_common_errors(),
                    },
                }
            },
            "/models/suggest": {
                "get": {
                    "operationId": "suggestModels",
                    "summary": "Title suggestions as the user types",
                    "parameters": _parameters(_suggest_parameter_docs(), api.SUGGEST_PARAMETERS),
                    "responses": {
                        "200": _json_content("Suggestions", "The suggestions, best first."),
                        "400": bad_parameter,
                        **_common_errors(),
                    },
                }
            },
            "/stats/": {
                "get": {
                    "operationId": "getStats",
                    "summary": "Published models counted by one dimension",
                    "description": "Counts the models /models/ would find for the same filters (the total equals "
                    "its `count`). With group_by=unit the groups are the units directly below the `unit` filter, "
                    "or the top-level units, each counting everything below it and its predecessors' models "
                    "(units merged or split into it), as the `unit` filter of /models/ does.",
                    # `q` is refused there (statistics count filters, not searches): not documented.
                    "parameters": _parameters(_stats_parameter_docs(), tuple(n for n in STATS_PARAMETERS if n != "q")),
                    "responses": {
                        "200": _json_content("Stats", "The counts."),
                        "400": bad_parameter,
                        **_common_errors(),
                    },
                }
            },
            "/schema": {
                "get": {
                    "operationId": "getSchema",
                    "summary": "This document",
                    "responses": {
                        "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {}}}},
                        **_common_errors(),
                    },
                }
            },
        },
        "components": {"schemas": _schemas()},
    }
