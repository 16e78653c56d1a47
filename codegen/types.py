"""Stage: Python types for schema types, and one typed operation per root field.

Output objects become frozen ``msgspec.Struct`` classes, enums a ``str`` enum plus a ``Literal``
alias of its values, input objects ``TypedDict`` classes (absent key = not sent); scalars come
from :mod:`codegen.scalars`. A reference to a type of another module is imported at run time
(shared ``_common``/``_types``), lazily (another object's module: ``_m_<module>.Name``) or only
for type checking (annotations of inputs).
"""

from __future__ import annotations

from dataclasses import replace

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
)

from codegen import model as m
from codegen import naming
from codegen.conventions import deprecated, doc_of, has_default, is_required_input
from codegen.imports import ModuleImports
from codegen.placement import place_metadata
from codegen.pytypes import DICT_ANY, Named, PyType, list_of, omittable, optional, union
from codegen.scalars import ScalarMap
from codegen.selections import Selections

__all__ = ["TypeBuilder"]

UNSET_TYPE = Named("UnsetType", "msgspec")


class TypeBuilder(Selections):
    """:class:`Selections` plus the IR of every type and root-field operation, per module."""

    def __init__(
        self, endpoint: str, schema: GraphQLSchema, scalars: ScalarMap | None = None
    ) -> None:
        super().__init__(endpoint, schema)
        if not self.is_core:
            self.owner.update(place_metadata(self))
        self.scalars = scalars if scalars is not None else ScalarMap()
        self.imports: dict[str, ModuleImports] = {}
        self.meta_props: tuple[tuple[str, PyType], ...] = ()
        # functions, OP constants and result structs (see codegen.build._op_names)
        # Facade classes bind module functions by name in their body (``find_one =
        # _runtime.method(companies, ...)``): a function named like a facade attribute would be
        # shadowed by that attribute for the lines after it, so those names are taken.
        self.op_names = naming.Namespace(reserved=set(self.cls.values()) | m.FACADE_ATTRIBUTES)

    def imp(self, module: str) -> ModuleImports:
        found = self.imports.get(module)
        if found is None:
            found = self.imports[module] = ModuleImports()
        return found

    def ref(self, module: str, type_name: str, *, runtime: bool, key: str | None = None) -> Named:
        """The generated class of ``type_name`` as seen from ``module`` (its import recorded)."""
        owner = self.owner[type_name]
        name = self.cls[key if key is not None else type_name]
        if owner == module:
            return Named(name)
        imp = self.imp(module)
        if owner == self.common:
            imp.runtime.setdefault(owner, set()).add(name)
            return Named(name)
        if runtime:
            alias = "_m_" + owner.rsplit("/", 1)[-1]
            imp.lazy[alias] = owner
            return Named(name, via=alias)
        imp.type_checking.setdefault(owner, set()).add(name)
        return Named(name)

    def out_ann(self, module: str, t: GraphQLType, *, runtime: bool = True) -> PyType:
        """Type of an output value (``X | None`` when nullable); ``runtime=False``: for an
        annotation never evaluated (other modules' types imported for type checking only)."""
        if isinstance(t, GraphQLNonNull):
            return self._out_inner(module, t.of_type, runtime)
        return optional(self._out_inner(module, t, runtime))

    def _out_inner(self, module: str, t: GraphQLType, runtime: bool) -> PyType:
        if isinstance(t, GraphQLList):
            return list_of(self.out_ann(module, t.of_type, runtime=runtime))
        named = get_named_type(t)
        if isinstance(named, GraphQLScalarType):
            return self.scalars.types(named.name, self.endpoint)[0]
        if isinstance(named, (GraphQLUnionType, GraphQLInterfaceType)):
            members = [x.name for x in self.possible(named)]
            if not members:
                return DICT_ANY
            if self.named_union(named):
                return self.ref(module, named.name, runtime=runtime)
            return union(*(self.ref(module, x, runtime=runtime) for x in members))
        return self.ref(module, named.name, runtime=runtime)

    def named_union(self, t: GraphQLUnionType | GraphQLInterfaceType) -> bool:
        """Whether ``t`` becomes a named alias (``X: TypeAlias = A | B``) in its module: when it
        has members and they all live there (an alias of members of other modules would import
        them eagerly)."""
        members = self.possible(t)
        home = self.owner.get(t.name)
        return bool(members) and all(self.owner.get(x.name) == home for x in members)

    def union_alias(self, module: str, t: GraphQLUnionType | GraphQLInterfaceType) -> m.AliasDef:
        """``t`` as a named type alias of its members (see :meth:`named_union`)."""
        return m.AliasDef(
            name=self.cls[t.name],
            doc=doc_of(t),
            members=tuple(self.ref(module, x.name, runtime=True) for x in self.possible(t)),
        )

    def in_ann(self, module: str, t: GraphQLType) -> PyType:
        """Type of an input value (``X | None`` when nullable)."""
        if isinstance(t, GraphQLNonNull):
            return self._in_inner(module, t.of_type)
        return optional(self._in_inner(module, t))

    def _in_inner(self, module: str, t: GraphQLType) -> PyType:
        if isinstance(t, GraphQLList):
            return list_of(self.in_ann(module, t.of_type))
        named = get_named_type(t)
        if isinstance(named, GraphQLScalarType):
            return self.scalars.types(named.name, self.endpoint)[1]
        if isinstance(named, GraphQLEnumType):
            enum = self.ref(module, named.name, runtime=False)
            lit = self.ref(module, named.name, runtime=False, key=f"{named.name}\0lit")
            return union(enum, lit)
        return self.ref(module, named.name, runtime=False)

    # ---- selections -----------------------------------------------------------------
    def struct_for(self, module: str, t: GraphQLObjectType) -> m.StructDef:
        fields: list[m.StructField] = []
        attrs = naming.Namespace()
        names = self.struct_field_names(t)
        attr_names = {n: naming.struct_attribute_name(n) for n in names}
        for n in sorted(names, key=lambda n: (attr_names[n], n)):
            attrs.claim(n, attr_names[n])
        for fname in names:
            f = t.fields[fname]
            named = get_named_type(f.type)
            optional_unset = (
                not is_leaf_type(named) and not self.always_selected(t) and not self._transparent(t)
            )
            fields.append(
                self._struct_field(
                    module,
                    attrs.assigned[fname],
                    self.aliases.get((t.name, fname), fname),
                    f.type,
                    doc_of(f),
                    optional_unset,
                )
            )
        tag = t.name if t.name in self.tagged else ""
        return m.StructDef(name=self.cls[t.name], doc=doc_of(t), fields=tuple(fields), tag=tag)

    def _struct_field(
        self, module: str, attr: str, wire: str, gtype: GraphQLType, doc: str, optional_unset: bool
    ) -> m.StructField:
        ann = self.out_ann(module, gtype)
        default = "required"
        if optional_unset:
            ann = union(ann, UNSET_TYPE)
            default = "unset"
        elif not isinstance(gtype, GraphQLNonNull):
            default = "none"
        return m.StructField(name=attr, annotation=ann, wire=wire, default=default, doc=doc)

    def enum_for(self, module: str, t: GraphQLEnumType) -> m.EnumDef:
        ns = naming.Namespace()
        members = []
        for value in sorted(t.values):
            v = t.values[value]
            members.append(
                m.EnumMember(
                    name=ns.claim(value, naming.enum_member_name(value)),
                    value=value,
                    doc=doc_of(v),
                )
            )
        return m.EnumDef(
            name=self.cls[t.name],
            literal_alias=self.cls[f"{t.name}\0lit"],
            doc=doc_of(t),
            members=tuple(members),
        )

    def input_for(self, module: str, t: GraphQLInputObjectType) -> m.InputDef:
        fields = []
        for fname, f in t.fields.items():
            ann = self.in_ann(module, f.type)
            if is_required_input(f):
                ann = Named("Required", "typing_extensions", (ann,))
            elif isinstance(f.type, GraphQLNonNull):
                pass  # has a default: may be left out, but not null
            fields.append(m.InputField(key=fname, annotation=ann, comment=doc_of(f)))
        return m.InputDef(
            name=self.cls[t.name],
            doc=doc_of(t),
            fields=tuple(fields),
        )

    # ---- operations -----------------------------------------------------------------
    def operation(
        self, module: str, kind: str, fname: str, f: GraphQLField, names: tuple[str, str, str]
    ) -> m.OperationDef:
        """Root field ``fname`` as an operation; ``names``: function, constant, result struct."""
        func_name, const_name, data_name = names
        # the function's body uses its own name nowhere, but keep parameters distinct from it
        pns = naming.Namespace(reserved={"client", "self", func_name})
        args = sorted(f.args.items(), key=lambda kv: (not is_required_input(kv[1]), kv[0]))
        params: list[m.Param] = []
        for aname in sorted(f.args):
            pns.claim(aname, naming.param_name(aname))
        for aname, arg in args:
            required = is_required_input(arg)
            ann = self.in_ann(module, arg.type)
            params.append(
                m.Param(
                    name=pns.assigned[aname],
                    key=aname,
                    # optional: left out unless given; None sends null only where the
                    # argument is nullable (a non-null one with a default is ``T | NotGiven``)
                    annotation=ann if required else omittable(ann),
                    required=required,
                    omittable=not required,
                )
            )
        op_name = fname[0].upper() + fname[1:]
        # An argument with a default is declared nullable: leaving the variable out then
        # lets the server apply the default (GraphQL "VariablesInAllowedPosition").
        variables = tuple(
            m.Variable(
                a,
                str(
                    arg.type.of_type
                    if isinstance(arg.type, GraphQLNonNull) and has_default(arg)
                    else arg.type
                ),
            )
            for a, arg in args
        )
        used: dict[str, m.Fragment] = {}
        selections = self.root_selection(get_named_type(f.type), used)
        document = m.Document(kind, op_name, variables, fname, selections, tuple(used.values()))
        data = self.data_struct(module, data_name, fname, f)
        result_attr = data.fields[0].name
        idempotent = kind == "query" or (
            fname.startswith(("update", "delete", "destroy", "restore")) and "id" in f.args
        )
        # only a Boolean ``upsert`` argument is the upsert flag (``keyed_upsert(bool, data)``)
        upsert_arg = f.args.get("upsert")
        upsert = (
            pns.assigned["upsert"]
            if upsert_arg is not None and get_named_type(upsert_arg.type).name == "Boolean"
            else ""
        )
        upsert_data = pns.assigned.get("data", "") if upsert and "data" in f.args else ""
        doc = doc_of(f)
        if deprecated(f):
            doc = (doc + "\n\n" if doc else "") + f"Deprecated: {f.deprecation_reason}"
        self.imp(module).needs_runtime_helper = True
        return m.OperationDef(
            func_name=func_name,
            const_name=const_name,
            data_struct=data,
            op_name=op_name,
            document=document,
            endpoint=self.endpoint,
            kind=kind,
            root_fields=(fname,),
            idempotent=idempotent,
            upsert_param=upsert,
            params=tuple(params),
            result_attr=result_attr,
            return_annotation=data.fields[0].annotation,
            doc=doc,
            upsert_data_param=upsert_data,
        )

    def data_struct(
        self, module: str, name: str, fname: str, f: GraphQLField, ann: PyType | None = None
    ) -> m.StructDef:
        sf = self._struct_field(
            module, naming.struct_attribute_name(fname), fname, f.type, "", False
        )
        if ann is not None:
            default = "required" if isinstance(f.type, GraphQLNonNull) else "none"
            sf = replace(sf, annotation=ann, default=default)
        return m.StructDef(name=name, doc="", fields=(sf,))

    # ---- Twenty conventions ---------------------------------------------------------
