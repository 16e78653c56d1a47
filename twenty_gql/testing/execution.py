"""Document execution of the core API: parse and validate once per document (LRU cache), then
run it against the current core schema.

Parse errors are GRAPHQL_PARSE_FAILED, validation errors GRAPHQL_VALIDATION_FAILED, a
one-to-many relation nested in another is TOO_COMPLEX_QUERY (Twenty's rule); every error an
execution reports is coded like Twenty by ``errors.twenty_error``. The cache is dropped whenever
the schema changes (``set_schema``). Records are committed to the store after each request.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    execute,
    get_named_type,
    parse,
    specified_rules,
    validate,
)

from twenty_gql.testing.errors import TwentyApiError, twenty_error, with_code
from twenty_gql.testing.roles import ADMIN, Role
from twenty_gql.testing.store import Store

__all__ = ["CoreExecutor"]

_CACHE_SIZE = 512
_INTROSPECTION_CACHE_SIZE = 32


class CoreExecutor:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock: threading.RLock = store.lock
        self._schema: GraphQLSchema | None = None
        self._one_to_many: set[tuple[str, str]] | None = None
        self._documents: OrderedDict[str, tuple[DocumentNode | None, list[GraphQLError]]] = (
            OrderedDict()
        )
        #: answers of introspection-only operations, until the schema changes (the last
        #: _INTROSPECTION_CACHE_SIZE documents that select nothing but introspection fields)
        self._introspections: OrderedDict[tuple[str, str, str | None], ExecutionResult] = (
            OrderedDict()
        )

    def set_schema(self, schema: GraphQLSchema, one_to_many: set[tuple[str, str]]) -> None:
        """Serve ``schema`` from now on (``one_to_many``: (type, field) of the 1-N relations)."""
        self._schema = schema
        self._one_to_many = one_to_many
        self._documents.clear()
        self._introspections.clear()

    def _introspection_key(
        self, document: str, variables: dict[str, Any] | None, operation_name: str | None
    ) -> tuple[str, str, str | None] | None:
        """A cache key when the operation selects introspection fields only (its answer then
        depends on the schema alone), else None."""
        if self.root_fields(document, operation_name) != []:
            return None
        try:
            encoded = json.dumps(variables, sort_keys=True)
        except (TypeError, ValueError):
            return None
        return (document, encoded, operation_name)

    @property
    def schema(self) -> GraphQLSchema:
        assert self._schema is not None
        return self._schema

    def _prepare(self, document: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
        cached = self._documents.get(document)
        if cached is not None:
            self._documents.move_to_end(document)
            return cached
        try:
            ast = parse(document)
        except (GraphQLError, RecursionError) as exc:
            error = exc if isinstance(exc, GraphQLError) else GraphQLError("Document is too deep")
            result: tuple[DocumentNode | None, list[GraphQLError]] = (
                None,
                [with_code(error, "GRAPHQL_PARSE_FAILED")],
            )
        else:
            try:
                found = validate(self.schema, ast, specified_rules)
            except RecursionError:
                found = [GraphQLError("Document is too deep to validate")]
            errors = [with_code(e, "GRAPHQL_VALIDATION_FAILED") for e in found]
            if not errors and self._one_to_many is not None:
                nested = nested_one_to_many(self.schema, ast, self._one_to_many)
                if nested is not None:
                    errors.append(
                        TwentyApiError(
                            "Query complexity is too high. One-to-Many relation cannot be nested "
                            f"in another One-to-Many relation ({nested}).",
                            "BAD_USER_INPUT",
                            "TOO_COMPLEX_QUERY",
                        )
                    )
            result = (ast, errors)
        self._documents[document] = result
        if len(self._documents) > _CACHE_SIZE:
            self._documents.popitem(last=False)
        return result

    def root_fields(self, document: str, operation_name: str | None = None) -> list[str] | None:
        """Root field names (not aliases, repeats kept, fragments inlined) of the operation a
        request would run, from the cached parse; None when the document does not parse or the
        operation cannot be chosen. For the HTTP side's rate limiting and document limits."""
        with self.lock:
            ast, _errors = self._prepare(document)
        if ast is None:
            return None
        operations = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [o for o in operations if o.name and o.name.value == operation_name]
        if len(operations) != 1:
            return None
        fragments = {
            d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)
        }
        names: list[str] = []
        seen_fragments: set[str] = set()

        def walk(selection_set: SelectionSetNode) -> None:
            for sel in selection_set.selections:
                if isinstance(sel, FieldNode):
                    if not sel.name.value.startswith("__"):
                        names.append(sel.name.value)
                elif isinstance(sel, InlineFragmentNode):
                    walk(sel.selection_set)
                elif isinstance(sel, FragmentSpreadNode):
                    frag = fragments.get(sel.name.value)
                    if frag is not None and sel.name.value not in seen_fragments:
                        seen_fragments.add(sel.name.value)
                        walk(frag.selection_set)

        walk(operations[0].selection_set)
        return names

    def execute(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        role: Role = ADMIN,
    ) -> ExecutionResult:
        """Run one core-API request. Errors carry Twenty's ``extensions`` (code, subCode, ...)."""
        raw_document: object = document
        raw_variables: object = variables
        if not isinstance(raw_document, str):
            return ExecutionResult(
                None, [with_code(GraphQLError("Must provide query string."), "BAD_USER_INPUT")]
            )
        if raw_variables is not None and not isinstance(raw_variables, dict):
            return ExecutionResult(
                None,
                [
                    with_code(
                        GraphQLError("Variables must be provided as an Object"), "BAD_USER_INPUT"
                    )
                ],
            )
        operation_name = operation_name or None  # JSON bodies often send ""
        with self.lock:
            ast, errors = self._prepare(document)
            if ast is None or errors:
                return ExecutionResult(None, list(errors))
            key = self._introspection_key(document, variables, operation_name)
            cached = self._introspections.get(key) if key is not None else None
            if cached is not None:
                return cached
            try:
                result = execute(
                    self.schema,
                    ast,
                    variable_values=variables,
                    operation_name=operation_name,
                    context_value={"role": role},
                )
            except Exception as exc:  # graphql-core itself failed: never crash the server
                result = ExecutionResult(
                    None,
                    [with_code(GraphQLError(f"Internal error: {exc}"), "INTERNAL_SERVER_ERROR")],
                )
            finally:
                self.store.commit()
            assert isinstance(result, ExecutionResult)
            if result.errors:
                result = ExecutionResult(result.data, [twenty_error(e) for e in result.errors])
            elif key is not None:
                self._introspections[key] = result
                if len(self._introspections) > _INTROSPECTION_CACHE_SIZE:
                    self._introspections.popitem(last=False)
            return result


def nested_one_to_many(
    schema: GraphQLSchema, document: DocumentNode, one_to_many: set[tuple[str, str]]
) -> str | None:
    """Name of a one-to-many field selected below another one-to-many field, if any.

    Twenty rejects such documents (TOO_COMPLEX_QUERY). Fragments are inlined; each
    (fragment, nesting) pair is visited once.
    """
    walker = _NestingWalker(schema, document, one_to_many)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = schema.get_root_type(definition.operation)
            found = walker.walk(definition.selection_set, root, False)
            if found:
                return found
    return None


class _NestingWalker:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, one_to_many: set[tuple[str, str]]
    ) -> None:
        self.schema = schema
        self.one_to_many = one_to_many
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.seen: set[tuple[str, bool]] = set()

    def walk(self, selection_set: SelectionSetNode | None, parent: Any, inside: bool) -> str | None:
        if selection_set is None:
            return None
        for sel in selection_set.selections:
            found = self.selection(sel, parent, inside)
            if found:
                return found
        return None

    def selection(self, sel: Any, parent: Any, inside: bool) -> str | None:
        if isinstance(sel, FieldNode):
            named = get_named_type(parent)
            if not isinstance(named, GraphQLObjectType):
                return None
            fdef = named.fields.get(sel.name.value)
            if fdef is None:
                return None
            is_o2m = (named.name, sel.name.value) in self.one_to_many
            if is_o2m and inside:
                return sel.name.value
            return self.walk(sel.selection_set, fdef.type, inside or is_o2m)
        if isinstance(sel, InlineFragmentNode):
            cond = (
                self.schema.get_type(sel.type_condition.name.value)
                if sel.type_condition
                else parent
            )
            return self.walk(sel.selection_set, cond or parent, inside)
        if isinstance(sel, FragmentSpreadNode):
            frag = self.fragments.get(sel.name.value)
            if frag is None or (sel.name.value, inside) in self.seen:
                return None
            self.seen.add((sel.name.value, inside))
            cond = self.schema.get_type(frag.type_condition.name.value)
            return self.walk(frag.selection_set, cond or parent, inside)
        return None
