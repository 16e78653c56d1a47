"""The IR: what the templates see, and nothing else.

Every decision (Python names, types, defaults, optionality, imports, documents) is made by the
build stages and stored here as values. Templates only lay these out. Names and values are raw
(GraphQL names, enum values): templates quote them with the ``pystr`` filter. Every annotation
is a :data:`~codegen.pytypes.PyType` value, written as text only by the ``ann`` filter
(:func:`codegen.pytypes.render`); free text (``doc``/``comment``) is raw schema text and is
escaped by the template filters at render time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codegen.pytypes import PyType

# The record facade's methods, in the order they are rendered. Reads and writes are designed
# methods (non-null records, ``Page``, typed errors; codegen.facades); ``find_duplicates``,
# ``group_by`` and ``merge`` are the module functions bound to the facade's client.
FACADE_ORDER = (
    "get",
    "find_one",
    "find_one_or_none",
    "find_many",
    "count",
    "iterate",
    "find_deleted",
    "iterate_deleted",
    "find_duplicates",
    "group_by",
    "create",
    "create_many",
    "update",
    "update_where",
    "delete",
    "delete_where",
    "restore",
    "restore_where",
    "destroy",
    "destroy_where",
    "merge",
)
# Every attribute a record facade class may define: module functions avoid these names, since
# a facade class body binds functions by name (``merge = _runtime.method(merge_companies, ...)``)
# and an attribute defined earlier in the body would shadow a function of the same name.
FACADE_ATTRIBUTES = frozenset(FACADE_ORDER) | {
    "find_many_with",
    "find_one_with",
    "get_with",
    "attach_file",
    "files",
}

__all__ = [
    "FACADE_ATTRIBUTES",
    "FACADE_ORDER",
    "AliasDef",
    "Document",
    "EnumDef",
    "EnumMember",
    "EventObject",
    "EventsModuleDef",
    "FacadeDef",
    "FacadeMethod",
    "FieldSel",
    "Fragment",
    "FragmentSpread",
    "IncludeVariant",
    "InitDef",
    "InlineFragment",
    "InputDef",
    "InputField",
    "LazyExport",
    "ModuleDef",
    "ModuleParts",
    "OperationDef",
    "Param",
    "RawDocument",
    "Relation",
    "Selection",
    "Slot",
    "StructDef",
    "StructField",
    "Variable",
]


# ---- GraphQL documents: a selection is a tree, printed by codegen.documents ----------------
@dataclass(frozen=True)
class FieldSel:
    """A selected field: ``alias: name { selections }`` (no selections for a leaf)."""

    name: str
    alias: str = ""
    selections: tuple[Selection, ...] = ()


@dataclass(frozen=True)
class InlineFragment:
    """``... on Type { selections }`` (one member of a union or interface)."""

    type_condition: str
    selections: tuple[Selection, ...]


@dataclass(frozen=True)
class FragmentSpread:
    """``...Name``: the selection of a record, defined once per module as a named fragment."""

    name: str


@dataclass(frozen=True)
class Slot:
    """Where an ``include=`` variant adds the selections of the relations asked for."""


Selection = FieldSel | InlineFragment | FragmentSpread | Slot


@dataclass(frozen=True)
class Fragment:
    """``fragment Name on Type { selections }``."""

    name: str
    type_condition: str
    selections: tuple[Selection, ...]


@dataclass(frozen=True)
class Variable:
    name: str
    type: str  # the GraphQL type as written in the declaration, e.g. "[CompanyOrderByInput]"


@dataclass(frozen=True)
class Document:
    """One operation on one root field, with every argument passed as a variable."""

    kind: str  # "query" | "mutation"
    name: str
    variables: tuple[Variable, ...]
    field: str
    selections: tuple[Selection, ...]  # () when the root field is a leaf
    fragments: tuple[Fragment, ...] = ()  # the module's fragments this document spreads


@dataclass(frozen=True)
class RawDocument:
    """A user's own operation (``--operations``), printed by graphql-core."""

    text: str
    fragments: tuple[Fragment, ...] = ()


@dataclass(frozen=True)
class AliasDef:
    """A named union of result structs: ``Name: TypeAlias = A | B``."""

    name: str
    doc: str
    members: tuple[PyType, ...]  # the member structs


@dataclass(frozen=True)
class EnumMember:
    name: str
    value: str  # the GraphQL enum value
    doc: str


@dataclass(frozen=True)
class EnumDef:
    name: str
    literal_alias: str  # name of the ``Literal[...]`` alias of the values
    doc: str
    members: tuple[EnumMember, ...]


@dataclass(frozen=True)
class InputField:
    key: str  # GraphQL field name
    annotation: PyType  # written as a string forward reference
    comment: str


@dataclass(frozen=True)
class InputDef:
    name: str
    doc: str
    fields: tuple[InputField, ...]


@dataclass(frozen=True)
class StructField:
    name: str
    annotation: PyType
    wire: str  # the response key the attribute decodes (``_msgspec.field(name=...)``)
    default: str  # "required" | "none" (default None) | "unset" (default msgspec.UNSET)
    doc: str


@dataclass(frozen=True)
class StructDef:
    """A frozen, keyword-only ``msgspec.Struct`` (or a subclass of ``base``)."""

    name: str
    doc: str
    fields: tuple[StructField, ...]
    base: str = ""  # a parent struct of the same module; "" = msgspec.Struct
    tag: str = ""  # the ``__typename`` tag of a union/interface member


@dataclass(frozen=True)
class Param:
    name: str  # Python parameter name
    key: str  # GraphQL variable name
    annotation: PyType
    required: bool
    # an optional GraphQL argument: defaults to ``NOT_GIVEN`` (left out of the variables) and
    # its annotation admits ``NotGiven``, so ``None`` sends null; other optional parameters
    # (the facades' own, like ``progress``) default to ``None``
    omittable: bool = False


@dataclass(frozen=True)
class OperationDef:
    func_name: str
    const_name: str
    data_struct: StructDef
    op_name: str
    document: Document | RawDocument
    endpoint: str  # "graphql" | "metadata"
    kind: str  # "query" | "mutation"
    root_fields: tuple[str, ...]
    idempotent: bool
    upsert_param: str  # name of an ``upsert`` parameter that makes the call idempotent, or ""
    params: tuple[Param, ...]
    result_attr: str
    return_annotation: PyType
    doc: str
    # name of the records parameter (``data``) of an upsert-capable create, or "": the call is
    # resent after a possible send only when every record carries its ``id``
    upsert_data_param: str = ""


@dataclass(frozen=True)
class FacadeMethod:
    name: str
    # "call" | "lazy_call" | "get" | "find_one" | "find_one_or_none" | "page" | "count" |
    # "iterate" | "create" | "record" | "where" | "bulk" | "include_page" | "include_one" |
    # "include_get" | "attach_file" | "files" | "set_files"
    kind: str
    op: OperationDef  # file methods: the record's find_one (or any) operation, for reference
    doc: str
    # "lazy_call": the lazy module alias holding the function; "bulk": unique fields tuple
    # "include": name of the include-variant helper.
    extra: str = ""
    unique_fields: tuple[str, ...] = ()  # "bulk": the keys of an upsert (``XWhereUniqueInput``)
    params: tuple[Param, ...] = ()
    return_annotation: PyType | None = None
    # file methods: the object's GraphQL name (``company``), and for "set_files" the FILES
    # field (``avatarFile``); raw schema names, quoted by the template
    object_name: str = ""
    field_name: str = ""
    # designed methods: how many leading ``params`` are positional (``update(id, data)``);
    # the Python name of the parameter a ``RecordNotFoundError`` reports (``id``/``filter``);
    # the root field a null answer names (``EmptyResultError``); for trash listings, whether
    # the user's filter is and-ed with ``deletedAt IS NOT_NULL``; for ``count``, the count
    # operation (its connection attribute is ``op.result_attr``, the count ``field_name``)
    positional: int = 0
    asked: str = ""
    root_field: str = ""
    deleted: bool = False
    count_op: OperationDef | None = None


@dataclass(frozen=True)
class FacadeDef:
    name: str
    doc: str
    methods: tuple[FacadeMethod, ...]


@dataclass(frozen=True)
class LazyExport:
    name: str
    module: str  # relative module path, e.g. ".company"


@dataclass(frozen=True)
class ModuleDef:
    """One ``.py`` file with types and/or operations."""

    path: str
    doc: str
    imports: tuple[str, ...] = ()  # run-time import lines (ordered by ruff later)
    type_checking_imports: tuple[str, ...] = ()
    lazy_modules: tuple[tuple[str, str], ...] = ()  # (alias, relative module) loaded on first use
    enums: tuple[EnumDef, ...] = ()
    inputs: tuple[InputDef, ...] = ()
    structs: tuple[StructDef, ...] = ()
    aliases: tuple[AliasDef, ...] = ()
    operations: tuple[OperationDef, ...] = ()
    facades: tuple[FacadeDef, ...] = ()
    include_variants: tuple[IncludeVariant, ...] = ()
    all_names: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # comments about skipped root fields (subscriptions)
    api_class: str = ""  # a top facade class (CoreApi / MetadataApi) defined in this module
    api_doc: str = ""
    api_props: tuple[tuple[str, PyType], ...] = ()  # (attribute, facade class)
    # attribute of the api class returning the client's shared ``twenty_gql.files.Files``, or ""
    api_files: str = ""
    # CoreApi's untyped accessors: ``object(name)`` (twenty_gql.dynamic.DynamicObjectApi) and
    # the ``data_model`` property (twenty_gql.datamodel.DataModel); "" elsewhere
    api_object: str = ""
    api_data_model: str = ""
    fragments: tuple[Fragment, ...] = ()  # named fragments the module's documents spread
    user_operations: bool = False  # functions return the whole ``data`` struct


@dataclass(frozen=True)
class Relation:
    """A relation ``include=`` can add: its field name and what it selects."""

    name: str
    selection: FieldSel


@dataclass(frozen=True)
class IncludeVariant:
    """A prepared family of documents selecting extra relations (``include=``)."""

    func_name: str  # private builder function name
    cache_name: str
    op_name: str
    document: Document  # holds one Slot where the relations asked for go
    relations: tuple[Relation, ...]
    relation_alias: str  # Literal alias of relation names
    data_struct: StructDef
    result_attr: str
    endpoint: str
    root_field: str


@dataclass(frozen=True)
class InitDef:
    """A package ``__init__.py`` exposing names lazily (PEP 562)."""

    path: str
    doc: str
    constants: tuple[tuple[str, str], ...]  # (name, Python literal)
    exports: tuple[LazyExport, ...]
    submodules: tuple[str, ...]  # subpackages/modules reachable as attributes


@dataclass
class ModuleParts:
    """What the builder collects for one module before it becomes a :class:`ModuleDef`."""

    enums: list[EnumDef] = field(default_factory=list)
    inputs: list[InputDef] = field(default_factory=list)
    structs: list[StructDef] = field(default_factory=list)
    aliases: list[AliasDef] = field(default_factory=list)
    ops: list[OperationDef] = field(default_factory=list)
    facades: list[FacadeDef] = field(default_factory=list)
    includes: list[IncludeVariant] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def struct(self, name: str | None) -> StructDef | None:
        return next((s for s in self.structs if s.name == name), None)

    def names(self) -> list[str]:
        """Every public name the module defines, in definition order."""
        names: list[str] = []
        for e in self.enums:
            names += [e.name, e.literal_alias]
        names += [i.name for i in self.inputs]
        names += [s.name for s in self.structs]
        names += [a.name for a in self.aliases]
        for o in self.ops:
            names += [o.data_struct.name, o.func_name, o.const_name]
        names += [f.name for f in self.facades]
        for inc in self.includes:
            names.append(inc.data_struct.name)
            if inc.relation_alias not in names:
                names.append(inc.relation_alias)
        return names


@dataclass(frozen=True)
class EventObject:
    """One core object's webhook events: ``<attribute> = ObjectEvents(object_name, record)``."""

    attribute: str  # the events module's attribute, e.g. ``company``
    object_name: str  # Twenty's ``nameSingular`` (events are named ``<object_name>.<action>``)
    record: PyType  # the record struct, reached through ``module_alias``
    module_alias: str  # alias of the record's module under TYPE_CHECKING (``_m_company``)
    package: str  # relative package of the record's module (``.core.objects``)
    module: str  # the record's module name in ``package`` (``company``)
    doc: str  # raw schema description of the object


@dataclass(frozen=True)
class EventsModuleDef:
    """``<pkg>/events.py``: typed webhook events of every core object, loaded on first use."""

    path: str
    doc: str
    objects: tuple[EventObject, ...]
