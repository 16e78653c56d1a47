"""Storage transfers: the PUT to a signed upload url, the GET of a signed download url, and
keeping the signature out of every message. Storage gets its own aiohttp session with no default
headers and no redirects, so the API key never travels there."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from twenty_gql.client import TwentyClient
from twenty_gql.errors import (
    ClientClosedError,
    ConnectionDroppedError,
    TransportError,
    TwentyError,
)
from twenty_gql.files._errors import (
    DownloadUrlUnavailableError,
    FileMissingError,
    FilesError,
    FileTooLargeError,
    SignedUrlExpiredError,
    StorageError,
    WrongSizeError,
    _Expired,
)
from twenty_gql.files._sources import Progress, _Body
from twenty_gql.files._values import FileRef, UploadedFile
from twenty_gql.transport import _translate


@dataclass
class _Target:
    file_id: str
    url: str
    content_type: str
    expires_at: float  # epoch seconds (inf when unparseable)


def _shown(url: str) -> str:
    """``url`` without its query (where the signature is): safe for messages and logs."""
    try:
        p = urlsplit(url)
    except ValueError:
        return "(unparseable url)"
    return f"{p.scheme}://{p.netloc.rpartition('@')[2]}{p.path}"


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _StorageIO:
    """Signed-url PUT and GET of :class:`~twenty_gql.files.Files` (a base class of it)."""

    client: TwentyClient
    chunk_size: int
    storage_timeout: float
    max_put_retries: int
    stats: dict[str, int]
    _session: Any
    _closed: bool
    _sleep: Callable[[float], Awaitable[object]]
    _urls: dict[str, str]

    def _storage(self) -> Any:
        if self._closed or self.client.closed:
            raise ClientClosedError("this Files (or its TwentyClient) is closed")
        if self._session is None:
            import aiohttp

            # No default headers at all: the Authorization header lives only in the client's
            # own session, so nothing here can carry the key to a storage host.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=10.0, sock_read=self.storage_timeout
                ),
                skip_auto_headers=("User-Agent",),
            )
        return self._session

    def _check_url(self, url: str) -> str:
        try:
            parts = urlsplit(url)
        except ValueError:
            raise StorageError("the server sent an unparseable signed url", status=0) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StorageError(
                f"the server sent a signed url that is not http(s): {_shown(url)}", status=0
            )
        if (
            parts.scheme == "http"
            and self.client.url.startswith("https:")
            and not _is_loopback(parts.hostname)
        ):
            raise StorageError(
                f"refusing a plain http:// signed url ({_shown(url)}) from an https server",
                status=0,
            )
        return url

    async def _put(self, target: _Target, body: _Body, progress: Progress | None) -> None:
        session = self._storage()
        problem: list[FilesError] = []
        total = body.size

        async def chunks() -> AsyncIterator[bytes]:
            body.opened += 1
            sent = 0
            async for chunk in body.open():
                if not chunk:
                    continue
                if sent + len(chunk) > total:
                    problem.append(
                        WrongSizeError(
                            f"{body.filename!r} yielded more than the {total} bytes declared",
                            declared=total,
                            actual=sent + len(chunk),
                            file_id=target.file_id,
                        )
                    )
                    raise problem[-1]
                sent += len(chunk)
                yield chunk
                if progress is not None:
                    progress(sent, total)
            if sent != total:
                problem.append(
                    WrongSizeError(
                        f"{body.filename!r} yielded {sent} bytes, not the {total} declared",
                        declared=total,
                        actual=sent,
                        file_id=target.file_id,
                    )
                )
                raise problem[-1]

        self.stats["puts"] += 1
        headers = {"Content-Type": target.content_type, "Content-Length": str(total)}
        try:
            async with session.put(
                target.url, data=chunks(), headers=headers, allow_redirects=False
            ) as r:
                status = r.status
                text = "" if 200 <= status < 300 else await _excerpt(r)
        except WrongSizeError:
            raise
        except Exception as exc:
            if problem:
                raise problem[-1] from None
            raise _storage_failure(exc, target.url) from None
        if problem:
            raise problem[-1]
        if 200 <= status < 300:
            return
        raise _storage_status(status, text, target.url, target.file_id, body.size)

    def _download_url(self, file: FileRef) -> tuple[str, str | None]:
        if isinstance(file, str):
            return self._check_url(file), None
        file_id = file.id if isinstance(file, UploadedFile) else file.file_id
        url = file.url or self._urls.get(file_id)
        if not url:
            raise DownloadUrlUnavailableError(
                f"no signed download url for file {file_id}: this server's FileObject has no "
                "url and this Files did not upload it",
                file_id=file_id,
            )
        return self._check_url(url), file_id

    async def stream(
        self, file: FileRef, *, progress: Progress | None = None
    ) -> AsyncIterator[bytes]:
        """The file's bytes, chunk by chunk, as they arrive (not retried once bytes flowed)."""
        url, file_id = self._download_url(file)
        session = self._storage()
        self.stats["gets"] += 1
        try:
            async with session.get(url, allow_redirects=False) as r:
                if r.status != 200:
                    text = await _excerpt(r)
                    raise _storage_status(r.status, text, url, file_id, None)
                total = r.content_length
                done = 0
                async for chunk in r.content.iter_chunked(self.chunk_size):
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
                    yield chunk
                if total is not None and done != total:
                    raise ConnectionDroppedError(
                        f"download from {_shown(url)} ended after {done} of {total} bytes"
                    )
        except (FilesError, TransportError):
            raise
        except Exception as exc:
            raise _storage_failure(exc, url) from None

    async def download(
        self, file: FileRef, dest: str | os.PathLike[str], *, progress: Progress | None = None
    ) -> int:
        """Write the file to ``dest`` (through ``dest + '.part'``, renamed when complete) and
        return its size. A failure before the first byte is retried like any idempotent GET."""
        path = Path(dest)
        part = path.with_name(path.name + ".part")
        attempt = 0
        while True:
            written = 0
            try:
                with part.open("wb") as out:
                    async for chunk in self.stream(file, progress=progress):
                        await asyncio.to_thread(out.write, chunk)
                        written += len(chunk)
                os.replace(part, path)
                return written
            except (TransportError, StorageError) as exc:
                part.unlink(missing_ok=True)
                if not exc.retryable or attempt >= self.max_put_retries:
                    raise
                delay = self.client.retry.backoff(attempt)
                attempt += 1
                await self._sleep(delay)
            except BaseException:
                part.unlink(missing_ok=True)
                raise


def _epoch(value: Any) -> float:
    if not isinstance(value, str):
        return float("inf")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return float("inf")


async def _excerpt(r: Any) -> str:
    try:
        raw = await r.content.read(2048)
    except Exception:
        return ""
    text: str = raw.decode("utf-8", "replace")
    return text


def _scrub(text: str, url: str) -> str:
    """``text`` with the signed url and every long query value of it masked."""
    text = text.replace(url, _shown(url))
    try:
        values = [v for _k, v in parse_qsl(urlsplit(url).query) if len(v) >= 8]
    except ValueError:
        values = []
    for value in values:
        text = text.replace(value, "***")
    return text


def _storage_failure(exc: BaseException, url: str) -> BaseException:
    """An aiohttp failure on a storage url, with the signature left out of the message."""
    translated = _translate(exc, _shown(url))
    if not isinstance(translated, TwentyError):
        return _StorageTransportError(f"{type(exc).__name__} talking to {_shown(url)}")
    translated.args = tuple(_scrub(a, url) if isinstance(a, str) else a for a in translated.args)
    return translated


class _StorageTransportError(TransportError):
    """An unexpected failure talking to storage (never shows the signed url)."""


def _storage_status(
    status: int, text: str, url: str, file_id: str | None, size: int | None
) -> FilesError:
    where = _shown(url)
    text = _scrub(text, url)
    code = _rest_code(text)
    if status == 403:
        if size is not None:  # an upload: the caller renews the url
            raise _Expired
        return SignedUrlExpiredError(
            f"the download url {where} was refused (expired or invalid): list the record's "
            "files again for a fresh one",
            file_id=file_id,
        )
    if status == 413 or code == "FILE_TOO_LARGE":
        return FileTooLargeError(
            f"storage refused the upload to {where} as too large: {text[:200]}",
            size=size,
            file_id=file_id,
            sub_code="FILE_TOO_LARGE",
        )
    if code == "FILE_SIZE_MISMATCH":
        return WrongSizeError(
            f"storage received another size than declared ({size}): {text[:200]}",
            declared=size,
            file_id=file_id,
            sub_code=code,
        )
    if status == 404:
        return FileMissingError(f"nothing stored at {where}", file_id=file_id, sub_code=code)
    return StorageError(f"HTTP {status} from {where}", status=status, body=text, file_id=file_id)


def _rest_code(text: str) -> str | None:
    m = re.search(r'"error"\s*:\s*"([A-Z_]+)"', text)
    return m.group(1) if m else None
