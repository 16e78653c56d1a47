"""twenty-gql runtime: the async client that generated bindings call.

The public surface is exactly ``__all__`` (sorted; checked by tests/unit/test_public_api.py).
"""

from twenty_gql._sentinel import NOT_GIVEN, NotGiven
from twenty_gql.bulk import (
    BulkFailure,
    BulkFailuresError,
    BulkProgress,
    BulkResult,
    create_many,
    delete_many,
    partial_result,
    update_many,
)
from twenty_gql.circuit import CircuitPolicy
from twenty_gql.client import TwentyClient
from twenty_gql.datamodel import DataModel, FieldInfo, ObjectInfo
from twenty_gql.dynamic import DynamicObjectApi
from twenty_gql.errors import (
    BadUserInputError,
    BatchLimitExceededError,
    ClientClosedError,
    ConfigurationError,
    ConnectError,
    ConnectionDroppedError,
    DeadlineExceededError,
    DecodeError,
    EmptyResultError,
    ForbiddenError,
    GraphQLResponseError,
    HTTPStatusError,
    InvalidVariablesError,
    MetadataNameError,
    NotFoundError,
    ObjectNotFoundError,
    PermissionDeniedError,
    RecordNotFoundError,
    ResponseTooLargeError,
    SchemaDriftError,
    ServiceUnavailableError,
    ThrottledError,
    TransportError,
    TransportTimeoutError,
    TwentyError,
    UnauthenticatedError,
    UniqueConflictError,
)
from twenty_gql.observability import ClientEvent, ClientStats
from twenty_gql.operation import Endpoint, Operation, OperationKind
from twenty_gql.page import Page
from twenty_gql.pagination import PaginationError, collect, paginate
from twenty_gql.scheduling import RateLimit, RetryPolicy
from twenty_gql.transport import MockTransport, MockTransportError, Request, Response, Transport

__all__ = [
    "NOT_GIVEN",
    "BadUserInputError",
    "BatchLimitExceededError",
    "BulkFailure",
    "BulkFailuresError",
    "BulkProgress",
    "BulkResult",
    "CircuitPolicy",
    "ClientClosedError",
    "ClientEvent",
    "ClientStats",
    "ConfigurationError",
    "ConnectError",
    "ConnectionDroppedError",
    "DataModel",
    "DeadlineExceededError",
    "DecodeError",
    "DynamicObjectApi",
    "EmptyResultError",
    "Endpoint",
    "FieldInfo",
    "ForbiddenError",
    "GraphQLResponseError",
    "HTTPStatusError",
    "InvalidVariablesError",
    "MetadataNameError",
    "MockTransport",
    "MockTransportError",
    "NotFoundError",
    "NotGiven",
    "ObjectInfo",
    "ObjectNotFoundError",
    "Operation",
    "OperationKind",
    "Page",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimit",
    "RecordNotFoundError",
    "Request",
    "Response",
    "ResponseTooLargeError",
    "RetryPolicy",
    "SchemaDriftError",
    "ServiceUnavailableError",
    "ThrottledError",
    "Transport",
    "TransportError",
    "TransportTimeoutError",
    "TwentyClient",
    "TwentyError",
    "UnauthenticatedError",
    "UniqueConflictError",
    "__version__",
    "collect",
    "create_many",
    "delete_many",
    "paginate",
    "partial_result",
    "update_many",
]

__version__ = "0.1.0"
