"""twenty-gql code generator: introspect a Twenty workspace and render a typed async package."""

__all__ = ["__version__"]

__version__ = "0.1.0"
