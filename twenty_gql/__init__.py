"""twenty-gql runtime: the async client that generated bindings call.

The public surface is exactly ``__all__`` (sorted; checked by tests/unit/test_public_api.py).
"""

from twenty_gql.operation import Endpoint, Operation, OperationKind

__all__ = ["Endpoint", "Operation", "OperationKind", "__version__"]

__version__ = "0.1.0"
