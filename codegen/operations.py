"""``--operations DIR``: the user's own GraphQL documents compiled into typed functions.

Every ``*.graphql``/``*.gql`` file under ``DIR`` (sorted) is parsed; fragments are shared by
all files. Each operation is validated (graphql-core ``validate``) against the core schema, or
the metadata schema when it only fits that one; errors name ``file:line:column``. Each operation
becomes, in ``NAME/core/operations.py`` (or ``NAME/metadata/operations.py``):

* result structs that mirror its exact selection: aliases become attribute names (snake_case,
  wire name kept), fragment spreads and inline fragments are merged into their parent, and
  selections on unions/interfaces become tagged unions of one struct per concrete type
  (``__typename`` is added to the document for that);
* an ``Operation`` constant with the document printed once, at generation time;
* ``async def <op_name>(client, *, <variables>) -> <OpName>Result``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    GraphQLType,
    GraphQLUnionType,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    TypeInfo,
    get_named_type,
    is_leaf_type,
    parse,
    print_ast,
    type_from_ast,
    validate,
)

from codegen import model as m
from codegen import naming
from codegen.errors import OperationsError
from codegen.imports import with_imports
from codegen.introspect import LoadedSchema
from codegen.pytypes import DICT_ANY, Named, Nullable, PyType, list_of, omittable, union
from codegen.render import render_module
from codegen.scalars import ScalarMap
from codegen.types import TypeBuilder

__all__ = ["OperationsError", "compile_operations"]


@dataclass
class _File:
    path: Path
    label: str
    text: str
    doc: DocumentNode


def _read(directory: Path) -> list[_File]:
    if not directory.is_dir():
        raise OperationsError(f"--operations {directory}: not a directory")
    files = []
    paths = sorted(
        p for p in directory.rglob("*") if p.is_file() and p.suffix in (".graphql", ".gql")
    )
    if not paths:
        raise OperationsError(f"--operations {directory}: no .graphql files found")
    for path in paths:
        label = str(path.relative_to(directory))
        text = path.read_text(encoding="utf-8")
        try:
            doc = parse(Source(text, label))
        except GraphQLSyntaxError as exc:
            loc = exc.locations[0] if exc.locations else None
            where = f"{label}:{loc.line}:{loc.column}" if loc else label
            raise OperationsError(f"{where}: {exc.message}") from None
        files.append(_File(path, label, text, doc))
    return files


def _fragments_used(
    node: SelectionSetNode | None, frags: dict[str, FragmentDefinitionNode], seen: set[str]
) -> None:
    if node is None:
        return
    for sel in node.selections:
        if isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            if name not in seen and name in frags:
                seen.add(name)
                _fragments_used(frags[name].selection_set, frags, seen)
        elif isinstance(sel, (FieldNode, InlineFragmentNode)):
            _fragments_used(sel.selection_set, frags, seen)


def _error_line(exc: GraphQLError, origin: list[tuple[int, str, int]]) -> str:
    loc = exc.locations[0] if exc.locations else None
    if loc is None:
        return exc.message
    for start, label, first_line in reversed(origin):
        if loc.line >= start:
            return f"{label}:{loc.line - start + first_line}:{loc.column}: {exc.message}"
    return exc.message


class _Compiler:
    def __init__(self, endpoint: str, schema: GraphQLSchema, scalars: ScalarMap) -> None:
        self.b = TypeBuilder(endpoint, schema, scalars)
        self.schema = self.b.schema
        self.key = "operations"
        self.classes = naming.Namespace(reserved=set(self.b.cls.values()))
        self.funcs = naming.Namespace(reserved=set(self.b.cls.values()))
        self.structs: list[m.StructDef] = []
        self.ops: list[m.OperationDef] = []

    def struct_for_selection(
        self,
        name_hint: str,
        parent: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        selection: SelectionSetNode,
        frags: dict[str, FragmentDefinitionNode],
    ) -> PyType:
        """The type of a selection on ``parent`` (struct or tagged union)."""
        if isinstance(parent, (GraphQLInterfaceType, GraphQLUnionType)):
            members = self.b.possible(parent)
            names = [
                Named(
                    self._concrete(
                        f"{name_hint}{naming.class_name(t.name)}", t, selection, frags, tag=True
                    )
                )
                for t in members
            ]
            return union(*names) if names else DICT_ANY
        return Named(self._concrete(name_hint, parent, selection, frags, tag=False))

    def _collect(
        self,
        parent: GraphQLObjectType,
        selection: SelectionSetNode,
        frags: dict[str, FragmentDefinitionNode],
        out: dict[str, list[FieldNode]],
    ) -> None:
        for sel in selection.selections:
            if isinstance(sel, FieldNode):
                key = sel.alias.value if sel.alias else sel.name.value
                out.setdefault(key, []).append(sel)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition.name.value if sel.type_condition else parent.name
                if self._applies(cond, parent):
                    self._collect(parent, sel.selection_set, frags, out)
            elif isinstance(sel, FragmentSpreadNode):
                frag = frags[sel.name.value]
                if self._applies(frag.type_condition.name.value, parent):
                    self._collect(parent, frag.selection_set, frags, out)

    def _applies(self, cond: str, parent: GraphQLObjectType) -> bool:
        if cond == parent.name:
            return True
        t = self.schema.get_type(cond)
        if isinstance(t, (GraphQLInterfaceType, GraphQLUnionType)):
            return any(p.name == parent.name for p in self.b.possible(t))
        return False

    def _concrete(
        self,
        name_hint: str,
        parent: GraphQLObjectType,
        selection: SelectionSetNode,
        frags: dict[str, FragmentDefinitionNode],
        *,
        tag: bool,
    ) -> str:
        name = self.classes.claim(f"{name_hint}\0{len(self.structs)}", naming.class_name(name_hint))
        fields_by_key: dict[str, list[FieldNode]] = {}
        self._collect(parent, selection, frags, fields_by_key)
        attrs = naming.Namespace()
        for key in sorted(fields_by_key):
            if key != "__typename":
                attrs.claim(key, naming.struct_attribute_name(key))
        fields: list[m.StructField] = []
        for key, nodes in fields_by_key.items():
            fname = nodes[0].name.value
            if fname == "__typename":
                continue
            fdef = parent.fields[fname]
            named = get_named_type(fdef.type)
            if is_leaf_type(named):
                ann = self.b.out_ann(self.key, fdef.type)
            else:
                merged = SelectionSetNode(
                    selections=tuple(
                        s for n in nodes if n.selection_set for s in n.selection_set.selections
                    )
                )
                assert isinstance(
                    named, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)
                )
                inner = self.struct_for_selection(
                    name_hint + naming.class_name(key), named, merged, frags
                )
                ann = self._wrap(fdef.type, inner)
            fields.append(
                m.StructField(
                    name=attrs.assigned[key],
                    annotation=ann,
                    wire=key,
                    default="required" if isinstance(fdef.type, GraphQLNonNull) else "none",
                    doc="",
                )
            )
        self.structs.append(
            m.StructDef(name=name, doc="", fields=tuple(fields), tag=parent.name if tag else "")
        )
        return name

    def _wrap(self, t: GraphQLType, inner: PyType) -> PyType:
        if isinstance(t, GraphQLNonNull):
            return self._wrap_inner(t.of_type, inner)
        return Nullable(self._wrap_inner(t, inner))

    def _wrap_inner(self, t: GraphQLType, inner: PyType) -> PyType:
        if isinstance(t, GraphQLList):
            return list_of(self._wrap(t.of_type, inner))
        return inner

    def operation(
        self, op: OperationDefinitionNode, frags: dict[str, FragmentDefinitionNode], label: str
    ) -> None:
        if op.name is None:
            raise OperationsError(f"{label}: every operation needs a name (it names the function)")
        op_name = op.name.value
        if op.operation == OperationType.SUBSCRIPTION:
            raise OperationsError(
                f"{label}: subscription {op_name}: subscriptions are not supported"
            )
        root = (
            self.schema.query_type
            if op.operation == OperationType.QUERY
            else self.schema.mutation_type
        )
        assert root is not None
        func = self.funcs.claim(op_name, naming.function_name(op_name))
        const = self.funcs.claim(op_name + "\0op", func.upper().strip("_") + "_OP")
        result_name = self._concrete(
            f"{naming.class_name(op_name)}Result", root, op.selection_set, frags, tag=False
        )
        params: list[m.Param] = []
        pns = naming.Namespace(reserved={"client", "self"})
        for var in sorted(op.variable_definitions or (), key=lambda v: v.variable.name.value):
            pns.claim(var.variable.name.value, naming.param_name(var.variable.name.value))
        for var in op.variable_definitions or ():
            vname = var.variable.name.value
            vtype = type_from_ast(self.schema, var.type)
            assert vtype is not None
            required = isinstance(vtype, GraphQLNonNull) and var.default_value is None
            ann = self.b.in_ann(self.key, vtype)
            params.append(
                m.Param(
                    name=pns.assigned[vname],
                    key=vname,
                    annotation=ann if required else omittable(ann),
                    required=required,
                    omittable=not required,
                )
            )
        params.sort(key=lambda p: not p.required)
        used: set[str] = set()
        _fragments_used(op.selection_set, frags, used)
        doc_node = DocumentNode(definitions=(op, *(frags[n] for n in sorted(used))))
        document = print_ast(_with_typenames(doc_node, self.schema)).strip() + "\n"
        roots = tuple(
            sorted({s.name.value for s in op.selection_set.selections if isinstance(s, FieldNode)})
        )
        kind = "query" if op.operation == OperationType.QUERY else "mutation"
        data = m.StructDef(name=result_name, doc="", fields=())
        self.b.imp(self.key).needs_runtime_helper = True
        self.ops.append(
            m.OperationDef(
                func_name=func,
                const_name=const,
                data_struct=data,
                op_name=op_name,
                document=m.RawDocument(document),
                endpoint=self.b.endpoint,
                kind=kind,
                root_fields=roots or ("__typename",),
                idempotent=kind == "query",
                upsert_param="",
                params=tuple(params),
                result_attr="",
                return_annotation=Named(result_name),
                doc=f"The ``{op_name}`` {kind} from {label}.",
            )
        )

    def module(self) -> m.ModuleDef:
        names = sorted(
            [s.name for s in self.structs]
            + [o.func_name for o in self.ops]
            + [o.const_name for o in self.ops]
        )
        mod = m.ModuleDef(
            path=f"{self.b.pkg}/operations.py",
            doc="Your own operations (``--operations``), typed to their exact selections.",
            structs=tuple(self.structs),
            operations=tuple(self.ops),
            all_names=tuple(names),
            user_operations=True,
        )
        return with_imports(mod, self.b.imp(self.key), self.key)


def _with_typenames(doc: DocumentNode, schema: GraphQLSchema) -> DocumentNode:
    """``doc`` with ``__typename`` selected wherever the parent type is abstract."""
    from graphql import Visitor, visit
    from graphql.language import ast as gast
    from graphql.utilities import TypeInfoVisitor

    info = TypeInfo(schema)

    class _Add(Visitor):
        def enter_selection_set(
            self, node: SelectionSetNode, *_: object
        ) -> SelectionSetNode | None:
            parent = info.get_parent_type()
            if isinstance(parent, (GraphQLInterfaceType, GraphQLUnionType)) and not any(
                isinstance(s, FieldNode) and s.name.value == "__typename" and s.alias is None
                for s in node.selections
            ):
                typename = gast.FieldNode(
                    name=NameNode(value="__typename"), arguments=(), directives=()
                )
                return SelectionSetNode(selections=(typename, *node.selections))
            return None

    result = visit(doc, TypeInfoVisitor(info, _Add()))
    assert isinstance(result, DocumentNode)
    return result


def compile_operations(
    directory: str | Path,
    schemas: dict[str, LoadedSchema],
    package: str,
    header: str,
    scalars: ScalarMap | None = None,
) -> dict[str, str]:
    """``{path: text}`` of ``<package>/<endpoint>/operations.py`` for the documents in ``directory``."""
    del package  # paths are relative to the package root handed back by generate()
    files = _read(Path(directory))
    frags: dict[str, FragmentDefinitionNode] = {}
    frag_origin: dict[str, str] = {}
    for f in files:
        for d in f.doc.definitions:
            if isinstance(d, FragmentDefinitionNode):
                name = d.name.value
                if name in frags:
                    raise OperationsError(
                        f"{f.label}: fragment {name} is also defined in {frag_origin[name]}"
                    )
                frags[name] = d
                frag_origin[name] = f.label
    compilers = {e: _Compiler(e, s.schema, scalars or ScalarMap()) for e, s in schemas.items()}
    for f in files:
        ops = [d for d in f.doc.definitions if isinstance(d, OperationDefinitionNode)]
        if not ops:
            continue
        # the file, plus fragments from other files appended after it
        own = {d.name.value for d in f.doc.definitions if isinstance(d, FragmentDefinitionNode)}
        extra_labels = sorted(n for n in frags if n not in own)
        combined = f.text
        origin: list[tuple[int, str, int]] = [(1, f.label, 1)]
        for n in extra_labels:
            start = combined.count("\n") + 2
            frag_text = print_ast(frags[n])
            loc = frags[n].loc
            first_line = loc.start_token.line if loc is not None else 1
            origin.append((start, frag_origin[n], first_line))
            combined += "\n" + frag_text
        doc = parse(Source(combined, f.label))
        errors_by_endpoint = {e: validate(c.schema, doc) for e, c in compilers.items()}
        fits = [e for e, errs in errors_by_endpoint.items() if not errs]
        if not fits:
            first_endpoint = next(iter(errors_by_endpoint))
            raise OperationsError(_error_line(errors_by_endpoint[first_endpoint][0], origin))
        compiler = compilers["graphql" if "graphql" in fits else fits[0]]
        for op in ops:
            compiler.operation(op, frags, f.label)
    out: dict[str, str] = {}
    for c in compilers.values():
        if c.ops:
            module = c.module()
            out[module.path] = render_module(module, header)
    return out
