"""``NOT_GIVEN``: the value of an optional parameter that was left out.

A generated function sends an optional argument only when it is not ``NOT_GIVEN``, so
``None`` can mean what it says: send ``null`` (where the schema allows it). Modelled on
openai-python's ``NOT_GIVEN``. Inputs given as ``TypedDict`` keep their own rule: an absent key
is not sent, a key set to ``None`` sends null.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["NOT_GIVEN", "NotGiven"]


class NotGiven:
    """The type of :data:`NOT_GIVEN` (one instance; falsy; picklable as the same instance)."""

    __slots__ = ()
    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        inst = cls._instance
        if inst is None:
            inst = cls._instance = object.__new__(cls)
        return inst

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        # pickled by reference to the module attribute: unpickling yields the same instance
        return "NOT_GIVEN"

    def __copy__(self) -> NotGiven:
        return self

    def __deepcopy__(self, memo: object) -> NotGiven:
        return self


NOT_GIVEN: Final[NotGiven] = NotGiven()
