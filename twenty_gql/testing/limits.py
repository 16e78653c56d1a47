"""Document limits of the emulated server, checked before a document reaches the executor.

Twenty answers a document over a limit with ``GRAPHQL_VALIDATION_FAILED`` (HTTP 200): nesting
depth, ``GRAPHQL_MAX_FIELDS`` (2000) field selections, more than 20 root resolvers (10 on
/metadata), a root resolver twice. Introspection fields (``__schema``, ``__type``) are exempt from
the depth and root limits. A cheap brace count and graphql-core's ``max_tokens`` keep hostile
documents away from the recursive parser; ``json_depth`` does the same for variable values.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

__all__ = [
    "GRAPHQL_LIMITS",
    "MAX_TOKENS",
    "MAX_VARIABLE_DEPTH",
    "METADATA_LIMITS",
    "DocumentAnalyser",
    "DocumentInfo",
    "DocumentLimits",
    "analyse_document",
    "json_depth",
    "limit_error",
]

MAX_TOKENS = 50_000  # lexical tokens per document (graphql-core parse guard)
MAX_VARIABLE_DEPTH = 64  # JSON nesting of variable values (coercion is recursive)


@dataclass(frozen=True)
class DocumentLimits:
    max_root_fields: int = 20
    max_depth: int = 20
    max_fields: int = 2000  # GRAPHQL_MAX_FIELDS


GRAPHQL_LIMITS = DocumentLimits()
METADATA_LIMITS = DocumentLimits(max_root_fields=10, max_depth=10)


@dataclass(frozen=True)
class DocumentInfo:
    root_fields: tuple[str, ...]  # non-introspection root fields of the chosen operation
    depth: int  # deepest selection nesting, introspection subtrees excluded
    field_count: int  # field selections in the whole document (fragments counted once)


def limit_error(message: str) -> GraphQLError:
    return GraphQLError(
        message,
        extensions={"code": "GRAPHQL_VALIDATION_FAILED", "userFriendlyMessage": message},
    )


def json_depth(value: Any, stop: int) -> int:
    """Nesting depth of decoded JSON (iterative; stops counting past ``stop``)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > stop:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _skip_string(text: str, i: int) -> int:
    """Index just past the string literal starting at ``text[i] == '"'``."""
    n = len(text)
    if text.startswith('"""', i):
        j = text.find('"""', i + 3)
        return n if j < 0 else j + 3
    i += 1
    while i < n and text[i] != '"' and text[i] != "\n":
        i += 2 if text[i] == "\\" else 1
    return i + 1


def _brace_depth(text: str) -> int:
    """Deepest ``{`` nesting outside strings and comments: a cheap pre-check so a hostile
    document never reaches the recursive parser."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == '"':
            i = _skip_string(text, i)
            continue
        if c in "{[(":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "}])":
            depth -= 1
        i += 1
    return deepest


def analyse_document(
    document: str, operation_name: str | None, limits: DocumentLimits
) -> DocumentInfo | GraphQLError | None:
    """Check ``document`` against ``limits``. A ``GraphQLError`` (code GRAPHQL_VALIDATION_FAILED)
    when a limit is exceeded; None when it does not parse or no single operation is chosen (the
    executor then reports that in its own words); else what the rate limiter needs."""
    if _brace_depth(document) > 2 * limits.max_depth + 8:
        return limit_error(f"Query is too deeply nested (maximum depth {limits.max_depth}).")
    try:
        ast = parse(document, no_location=True, max_tokens=MAX_TOKENS)
    except GraphQLError as exc:
        if "token limit" in exc.message.lower():
            return limit_error(f"Query is too large (more than {MAX_TOKENS} tokens).")
        return None
    except RecursionError:
        return limit_error("Query is too deeply nested.")
    return _Walker(ast, limits).check(operation_name)


class _Walker:
    """Counts, root names and depth of one parsed document."""

    def __init__(self, ast: DocumentNode, limits: DocumentLimits) -> None:
        self.ast = ast
        self.limits = limits
        self.fragments = {
            d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def check(self, operation_name: str | None) -> DocumentInfo | GraphQLError | None:
        limits = self.limits
        count = sum(
            self.count_fields(d.selection_set)
            for d in self.ast.definitions
            if isinstance(d, (OperationDefinitionNode, FragmentDefinitionNode))
        )
        if count > limits.max_fields:
            return limit_error(f"Query has too many fields: {count} (maximum {limits.max_fields}).")
        operations = [d for d in self.ast.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name:
            operations = [o for o in operations if o.name and o.name.value == operation_name]
        if len(operations) != 1:
            return None
        operation = operations[0]
        roots: list[str] = []
        self.collect_roots(operation.selection_set, frozenset(), roots)
        if len(roots) > limits.max_root_fields:
            return limit_error(
                f"Query has too many root resolvers: {len(roots)} "
                f"(maximum {limits.max_root_fields})."
            )
        duplicate = next((name for i, name in enumerate(roots) if name in roots[:i]), None)
        if duplicate is not None:
            return limit_error(f"Duplicate root resolver: {duplicate!r} appears more than once.")
        depth = self.depth_of(operation.selection_set, frozenset())
        if depth > limits.max_depth:
            return limit_error(f"Query is too deeply nested (maximum depth {limits.max_depth}).")
        return DocumentInfo(tuple(roots), depth, count)

    def count_fields(self, sel_set: SelectionSetNode | None) -> int:
        if sel_set is None:
            return 0
        count = 0
        for sel in sel_set.selections:
            if isinstance(sel, FieldNode):
                count += 1 + self.count_fields(sel.selection_set)
            elif isinstance(sel, InlineFragmentNode):
                count += self.count_fields(sel.selection_set)
        return count

    def depth_of(self, sel_set: SelectionSetNode | None, seen: frozenset[str]) -> int:
        if sel_set is None:
            return 0
        deepest = 0
        for sel in sel_set.selections:
            if isinstance(sel, FieldNode):
                if sel.name.value not in ("__schema", "__type"):
                    deepest = max(deepest, 1 + self.depth_of(sel.selection_set, seen))
            elif isinstance(sel, InlineFragmentNode):
                deepest = max(deepest, self.depth_of(sel.selection_set, seen))
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments.get(sel.name.value)
                if frag is not None and sel.name.value not in seen:
                    inner = self.depth_of(frag.selection_set, seen | {sel.name.value})
                    deepest = max(deepest, inner)
            if deepest > self.limits.max_depth:
                break
        return deepest

    def collect_roots(
        self, sel_set: SelectionSetNode, seen: frozenset[str], out: list[str]
    ) -> None:
        for sel in sel_set.selections:
            if isinstance(sel, FieldNode):
                if not sel.name.value.startswith("__"):
                    out.append(sel.name.value)
            elif isinstance(sel, InlineFragmentNode):
                self.collect_roots(sel.selection_set, seen, out)
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments.get(sel.name.value)
                if frag is not None and sel.name.value not in seen:
                    self.collect_roots(frag.selection_set, seen | {sel.name.value}, out)


class DocumentAnalyser:
    """``analyse_document`` with an LRU cache of the last ``size`` documents."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._cache: OrderedDict[
            tuple[str, str | None, DocumentLimits], DocumentInfo | GraphQLError | None
        ] = OrderedDict()

    def __call__(
        self, document: str, operation_name: str | None, limits: DocumentLimits
    ) -> DocumentInfo | GraphQLError | None:
        key = (document, operation_name, limits)
        if key in self._cache:
            return self._cache[key]
        result = analyse_document(document, operation_name, limits)
        self._cache[key] = result
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return result
