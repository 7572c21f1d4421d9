"""The API's documentation page (/api/docs/) read from its OpenAPI schema: each operation
grouped under its tag, with its parameters, request body fields, responses and examples, the
schema's `$ref`s resolved into its components. The schema does not change while the process
runs, so the page's context is built once per process."""

import functools
import json
import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")
# Each method's tag (GOV.UK's tag colours meet WCAG AA contrast; plain govuk-tag is blue).
TAGS = {
    "get": "govuk-tag govuk-tag--green",
    "post": "govuk-tag",
    "put": "govuk-tag govuk-tag--purple",
    "patch": "govuk-tag govuk-tag--purple",
    "delete": "govuk-tag govuk-tag--red",
}
COMPONENT = "#/components/schemas/"
# drf-spectacular lists an enum's choices in the description: "* `value` - Label".
CHOICE = re.compile(r"^\* `(?P<value>[^`]*)` - (?P<label>.*)$", re.MULTILINE)
NESTING = 3  # how deep a body's nested objects are listed


@functools.cache
def documentation():
    """The page's context, built from the schema /api/schema/ serves (the first call only)."""
    return read(SchemaGenerator().get_schema(request=None, public=True))


def read(schema):
    """The page's context from an OpenAPI 3 schema (a dict)."""
    reader = Reader(schema.get("components", {}).get("schemas", {}))
    tags = {}
    for path, item in schema.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                operation = reader.operation(path, method, item[method], shared)
                tag = (item[method].get("tags") or ["other"])[0]
                tags.setdefault(tag, []).append(operation)
    info = schema.get("info", {})
    return {
        "title": info.get("title", "API"),
        "version": info.get("version", ""),
        "description": markup(info.get("description", "")),
        "tags": [
            {"name": name, "heading": name.capitalize(), "id": f"tag-{name}", "operations": ops}
            for name, ops in tags.items()
        ],
    }


def markup(text):
    """Schema prose as HTML: `code` spans as <code>, the rest escaped, blank lines as breaks,
    and drf-spectacular's list of an enum's choices left out (the page lists them itself)."""
    parts = CHOICE.sub("", text or "").strip().split("`")
    html = "".join(
        format_html("<code>{}</code>", part) if odd else escape(part)
        for odd, part in ((index % 2 == 1, part) for index, part in enumerate(parts))
    )
    return mark_safe(re.sub(r"\n\s*\n+", "<br>", html))  # every part escaped above


def shown(value):
    """An enum value as a reader would send it: strings as they are, "" and null as JSON."""
    return value if isinstance(value, str) and value else json.dumps(value)


class Reader:
    """Reads operations and schemas, resolving references into the schema's components."""

    def __init__(self, components):
        self.components = components

    def resolve(self, node):
        """The schema a node stands for: its `$ref` followed, a single allOf merged in, the
        node's own keys (readOnly, description, nullable) kept over the component's."""
        node = node or {}
        if "$ref" in node:
            target = self.components.get(node["$ref"].removeprefix(COMPONENT), {})
            return self.resolve({**target, **{k: v for k, v in node.items() if k != "$ref"}})
        if len(node.get("allOf", ())) == 1:
            own = {k: v for k, v in node.items() if k != "allOf"}
            return {**self.resolve(node["allOf"][0]), **own}
        return node

    def type_of(self, node):
        """A schema's type in words: "string (decimal)", "array of Claim", "integer or null"."""
        named = node if "$ref" in node else (node.get("allOf") or [{}])[0]
        name = named.get("$ref", "").removeprefix(COMPONENT)
        node = self.resolve(node)
        if "oneOf" in node or "anyOf" in node:
            kinds = [
                self.type_of(option)
                for option in node.get("oneOf", node.get("anyOf"))
                if self.resolve(option).get("enum") not in ([""], [None])
            ]
            described = " or ".join(dict.fromkeys(kinds))
        elif node.get("type") == "array":
            described = f"array of {self.type_of(node.get('items', {}))}"
        elif node.get("type") == "object" or "properties" in node:
            described = name if name and "properties" in node else "object"
        elif node.get("format") == "binary":
            described = "file"
        elif "type" in node:
            described = node["type"] + (f" ({node['format']})" if "format" in node else "")
        else:
            described = "string" if "enum" in node else "any"
        return f"{described} or null" if node.get("nullable") else described

    def choices(self, node, description=""):
        """An enum's allowed values with their labels, where the schema gives any."""
        node = self.resolve(node)
        options = node.get("oneOf") or node.get("anyOf")
        if options:
            return [choice for option in options for choice in self.choices(option, description)]
        labels = {m["value"]: m["label"] for m in CHOICE.finditer(node.get("description", ""))}
        labels.update({m["value"]: m["label"] for m in CHOICE.finditer(description or "")})
        return [
            {"value": shown(value), "label": labels.get(value, "") if value else ""}
            for value in node.get("enum", ())
            if value is not None or not node.get("nullable")
        ]

    def fields(self, node, prefix="", depth=0):
        """An object's fields, and those of the objects within it (as "parent.child" or
        "parent[].child"), each with its type, whether it is required or read-only, its
        description and allowed values."""
        node = self.resolve(node)
        required = set(node.get("required", ()))
        rows = []
        for name, prop in node.get("properties", {}).items():
            target = self.resolve(prop)
            description = prop.get("description") or target.get("description", "")
            rows.append(
                {
                    "name": prefix + name,
                    "type": self.type_of(prop),
                    "required": name in required,
                    "read_only": bool(target.get("readOnly")),
                    "description": markup(description or target.get("title", "")),
                    "choices": self.choices(prop, description),
                }
            )
            if depth < NESTING and target.get("type") == "array":
                rows += self.fields(target.get("items"), f"{prefix}{name}[].", depth + 1)
            elif depth < NESTING:
                rows += self.fields(target, f"{prefix}{name}.", depth + 1)
        return rows

    def parameter(self, parameter):
        parameter = self.resolve(parameter)
        schema = parameter.get("schema", {})
        return {
            "name": parameter.get("name", ""),
            "where": parameter.get("in", ""),
            "type": self.type_of(schema),
            "required": bool(parameter.get("required")),
            "description": markup(parameter.get("description", "")),
            "choices": self.choices(schema, parameter.get("description", "")),
        }

    def operation(self, path, method, operation, shared):
        """One operation as the page shows it."""
        parameters = {(p.get("name"), p.get("in")): p for p in map(self.resolve, shared)}
        parameters.update(
            {(p.get("name"), p.get("in")): p for p in operation.get("parameters", [])}
        )
        bodies, examples = {}, []
        for content_type, content in operation.get("requestBody", {}).get("content", {}).items():
            key = json.dumps(content.get("schema", {}), sort_keys=True)
            if key not in bodies:
                bodies[key] = {"content_types": [], "fields": self.fields(content.get("schema"))}
            bodies[key]["content_types"].append(content_type)
            examples += self.examples(content, "Request", content_type)
        responses = []
        for status, response in operation.get("responses", {}).items():
            content = response.get("content", {})
            responses.append(
                {
                    "status": status,
                    "description": markup(response.get("description", "")),
                    "content_types": list(content),
                    "type": self.type_of(next(iter(content.values()), {}).get("schema", {}))
                    if content
                    else "",
                }
            )
            for content_type, body in content.items():
                examples += self.examples(body, f"Response {status}", content_type)
        success = next((r for s, r in operation.get("responses", {}).items() if s < "300"), {})
        success_schema = success.get("content", {}).get("application/json", {}).get("schema")
        return {
            "id": operation.get("operationId") or f"{method}-{path}",
            "method": method.upper(),
            "tag": TAGS[method],
            "path": path,
            "summary": markup(operation.get("summary", "")),
            "description": markup(operation.get("description", "")),
            "anonymous": {} in operation.get("security", [{}]),
            "parameters": [self.parameter(p) for p in parameters.values()],
            "bodies": list(bodies.values()),
            "body_required": bool(operation.get("requestBody", {}).get("required")),
            "responses": responses,
            "response_fields": self.fields(success_schema) if success_schema else [],
            "examples": examples,
        }

    @staticmethod
    def examples(content, what, content_type):
        """The examples a request or response body gives, pretty-printed as JSON."""
        found = [
            (example.get("summary") or name, example.get("value"))
            for name, example in content.get("examples", {}).items()
        ]
        if "example" in content:
            found.append(("", content["example"]))
        return [
            {
                "title": f"{what}: {title}" if title else what,
                "content_type": content_type,
                "json": json.dumps(value, indent=2, ensure_ascii=False),
            }
            for title, value in found
        ]
