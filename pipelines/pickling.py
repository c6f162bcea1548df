"""Quick pickling for the frozen, slotted dataclasses that cross process boundaries.

A replay's worker processes send every page's clean record back to the writer as a
pickle: about 150 small objects a page. The ``__getstate__``/``__setstate__`` that
``dataclass(frozen=True, slots=True)`` adds look the fields up on every call; these read
and set them through a tuple of names made once, several times faster, and the writer (the
replay's busiest process) unpickles every record.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")


def quick_pickle(cls: type[T]) -> type[T]:
    """Give the dataclass ``cls`` (frozen, slotted) a state of its field values in order;
    apply it above ``@dataclass``."""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    if len(names) < 2:  # attrgetter of one name gives the value, not a tuple
        raise TypeError(f"{cls.__name__}: quick_pickle wants two fields or more")
    getstate = attrgetter(*names)

    def __getstate__(self: Any) -> tuple[Any, ...]:
        state: tuple[Any, ...] = getstate(self)
        return state

    cls.__getstate__ = __getstate__  # type: ignore[method-assign]
    cls.__setstate__ = _setstate(cls, names)  # type: ignore[attr-defined]
    return cls


def _setstate(cls: type, names: tuple[str, ...]) -> Any:
    """``__setstate__`` for ``names``: each value set through its slot's descriptor (what a
    frozen dataclass's ``__init__`` does through ``object.__setattr__``), unrolled as
    ``dataclasses`` unrolls ``__init__``: a loop costs twice as much."""
    setters = {f"_set{i}": vars(cls)[name].__set__ for i, name in enumerate(names)}
    body = "".join(f"    _set{i}(self, state[{i}])\n" for i in range(len(names)))
    namespace: dict[str, Any] = dict(setters)
    exec(f"def __setstate__(self, state):\n{body}", namespace)
    return namespace["__setstate__"]
