"""Files against the embedded emulator, through the generated typed facade
(``generated/twenty_standard``): attach a document to a company, set a person's avatar, list,
download, and see a dropped upload retried.

    .venv/bin/python examples/files.py

1. starts a local Twenty emulator (its storage lives in a temporary directory);
2. writes a 5 MB "contract.pdf", attaches it to a new company with a progress callback (the
   bytes go straight to the signed upload url, read from disk in 512 KiB chunks);
   (``crm.companies.attach_file``);
3. sets ``person.avatarFile`` (a FILES field) from bytes (``crm.people.set_avatar_file``);
4. lists the company's files (``crm.companies.files``) and downloads the contract back through
   the client's shared ``Files`` (``crm.files``), comparing sha256;
5. makes the emulator drop the next upload halfway: the PUT is resent to the same signed url
   and one file is stored.

Against a real workspace, the same calls work with ``TwentyClient()`` (TWENTY_URL /
TWENTY_API_KEY); only step 5's fault injection is emulator-only.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from twenty_gql import TwentyClient
from twenty_gql.testing import TwentyEmulator
from twenty_gql.testing.files import FileService, files_for

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generated"))

from twenty_standard import CoreApi  # noqa: E402

SIZE = 5 * 1024 * 1024


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


async def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="twenty-files-example-"))
    contract = work / "contract.pdf"
    with contract.open("wb") as f:
        f.write(b"%PDF-1.7\n")
        f.write(os.urandom(SIZE - 9))

    try:
        return await run(work, contract)
    finally:
        shutil.rmtree(work, ignore_errors=True)


async def run(work: Path, contract: Path) -> int:
    async with TwentyEmulator(rate_limit=None) as emu:
        storage = files_for(emu.workspace)
        async with TwentyClient(emu.url, emu.api_key) as client:
            crm = CoreApi(client)
            files = crm.files  # one Files per client, shared by the facades' file methods
            async with files:  # closes its storage session
                return await steps(crm, storage, work, contract)


async def steps(crm: CoreApi, storage: FileService, work: Path, contract: Path) -> int:
    files = crm.files
    created = await crm.companies.create({"name": "Acme Documents"})
    company = created.id
    marks: list[int] = []

    def progress(done: int, total: int | None) -> None:
        if total and done * 4 // total > len(marks):  # every quarter
            marks.append(done)

    att = await crm.companies.attach_file(company, contract, progress=progress)
    print(f"attached {att.label!r} to company {company} ({len(marks)} progress marks)")

    person = await crm.people.create({"name": {"firstName": "Ada"}})
    avatar = await crm.people.set_avatar_file(
        person.id, [("ada.png", b"\x89PNG\r\n\x1a\n" + b"0" * 1024)]
    )
    print(f"person.avatarFile = {[f.label for f in avatar]}")

    listed = await crm.companies.files(company)
    print(f"company files: {[(f.label, f.field) for f in listed]}")
    back = work / "contract-downloaded.pdf"
    size = await files.download(listed[0], back)
    same = sha256(back) == sha256(contract)
    print(f"downloaded {size} bytes, sha256 {'matches' if same else 'DIFFERS'}")

    storage.drop_next_put(after_bytes=SIZE // 2)
    again = await crm.companies.attach_file(company, contract, name="contract-v2.pdf")
    blobs = [p for p in storage.root.iterdir() if p.name.startswith(again.file_id)]
    print(
        f"dropped upload retried: {files.stats['put_retries']} retry, "
        f"{storage.stats['dropped_puts']} connection dropped, "
        f"{len(blobs)} stored file for it"
    )
    print(f"Authorization headers seen by storage: {storage.stats['authorization_headers']}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
