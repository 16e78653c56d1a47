"""Upload sources: a path, bytes, an async byte iterable or a factory of one, read in chunks."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterable, AsyncIterator, Callable
from pathlib import Path
from typing import Union

from twenty_gql.files._errors import FileMissingError, WrongSizeError

#: what ``upload``/``attach`` accept: a path (str or PathLike), bytes, an async byte iterable
#: (sent once, not retried), or a zero-argument callable returning a fresh async iterable
#: (re-readable, so a dropped upload can be retried)
Source = Union[
    str,
    "os.PathLike[str]",
    bytes,
    bytearray,
    memoryview,
    AsyncIterable[bytes],
    Callable[[], AsyncIterable[bytes]],
]
#: ``progress(done_bytes, total_bytes)`` after every chunk (total None when unknown)
Progress = Callable[[int, Union[int, None]], object]  # noqa: UP007 (a runtime alias on 3.9 syntax)

DEFAULT_CHUNK_SIZE = 512 * 1024


class _Body:
    """An upload source: its size, name and a way to (re)open it as chunks."""

    def __init__(
        self,
        size: int,
        filename: str,
        open_: Callable[[], AsyncIterator[bytes]],
        reopenable: bool,
    ) -> None:
        self.size = size
        self.filename = filename
        self.open = open_
        self.reopenable = reopenable
        self.opened = 0


async def _read_path(path: Path, chunk: int) -> AsyncIterator[bytes]:
    f = await asyncio.to_thread(path.open, "rb")
    try:
        while True:
            data = await asyncio.to_thread(f.read, chunk)
            if not data:
                return
            yield data
    finally:
        f.close()


async def _read_bytes(data: memoryview, chunk: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), chunk):
        yield bytes(data[i : i + chunk])


def _prepare(source: Source, filename: str | None, size: int | None, chunk: int) -> _Body:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            st = path.stat()
        except OSError as exc:
            raise FileMissingError(f"cannot read {str(path)!r}: {exc.strerror}") from None
        if not path.is_file():
            raise FileMissingError(f"{str(path)!r} is not a regular file")
        if size is not None and size != st.st_size:
            raise WrongSizeError(
                f"size={size} given but {str(path)!r} has {st.st_size} bytes",
                declared=size,
                actual=st.st_size,
            )
        return _Body(st.st_size, filename or path.name, lambda: _read_path(path, chunk), True)
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source).cast("B")
        if size is not None and size != len(view):
            raise WrongSizeError(
                f"size={size} given but the bytes are {len(view)} long",
                declared=size,
                actual=len(view),
            )
        if not filename:
            raise ValueError("filename= is required when uploading bytes")
        return _Body(len(view), filename, lambda: _read_bytes(view, chunk), True)
    if callable(source) and not isinstance(source, AsyncIterable):
        factory = source

        def reopen() -> AsyncIterator[bytes]:
            it = factory()
            if not isinstance(it, AsyncIterable):
                raise TypeError(
                    f"the source callable returned {type(it).__name__}, not an async iterable"
                )
            return aiter(it)

        return _Body(_need_size(size), _need_name(filename), reopen, True)
    if isinstance(source, AsyncIterable):
        iterable = source
        return _Body(_need_size(size), _need_name(filename), lambda: aiter(iterable), False)
    raise TypeError(
        f"cannot upload a {type(source).__name__}: pass a path, bytes, an async iterable of "
        "bytes, or a callable returning one"
    )


def _need_size(size: int | None) -> int:
    if size is None:
        raise ValueError("size= (bytes) is required when uploading from an iterator")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValueError(f"size must be an int >= 0, got {size!r}")
    return size


def _need_name(filename: str | None) -> str:
    if not filename:
        raise ValueError("filename= is required when uploading from an iterator")
    return filename
