"""Bindings older than the data model: a generated operation naming a field or object that was
deleted since raises ``SchemaDriftError`` naming what is gone and telling to regenerate."""

from __future__ import annotations

import asyncio
import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen import generate_cli
from twenty_gql import DataModel, GraphQLResponseError, SchemaDriftError, TwentyClient
from twenty_gql.errors import write_failure
from twenty_gql.testing import TwentyEmulator


async def test_generated_operation_after_field_and_object_deletion(tmp_path: Path) -> None:
    async with (
        TwentyEmulator(seed="empty", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        dm = DataModel(client)
        await dm.create_object(
            name_singular="invoice",
            name_plural="invoices",
            label_singular="Invoice",
            label_plural="Invoices",
        )
        await dm.create_number_field("invoice", name="amount", label="Amount")
        argv = ["--url", emu.url, "--api-key", emu.api_key, "--out", str(tmp_path)]
        assert await asyncio.to_thread(generate_cli.main, [*argv, "--package", "drift_pkg"]) == 0
        sys.path.insert(0, str(tmp_path))
        try:
            pkg: Any = importlib.import_module("drift_pkg")
            crm = pkg.CoreApi(client)
            await crm.invoices.create(data={"name": "INV-1", "amount": 3})
            assert len(await crm.invoices.find_many()) == 1  # fresh bindings work

            await dm.delete_field("invoice", "amount")
            with pytest.raises(SchemaDriftError) as e:
                await crm.invoices.find_many()
            err = e.value
            assert isinstance(err, GraphQLResponseError)
            assert (err.missing, err.parent) == ("amount", "Invoice")
            assert err.code == "GRAPHQL_VALIDATION_FAILED"
            assert 'Cannot query field "amount" on type "Invoice"' in err.message
            text = str(err)
            assert "the workspace has no 'amount' on Invoice" in text
            assert "twenty-gql generate" in text and "twenty-gql check" in text
            assert write_failure(err) == "batch_fatal"  # a bulk run stops, not bisects

            await dm.delete_object("invoice")
            with pytest.raises(SchemaDriftError) as gone:
                await crm.invoices.find_many()
            assert (gone.value.missing, gone.value.parent) == ("invoices", "Query")
        finally:
            sys.path.remove(str(tmp_path))
            for name in [m for m in sys.modules if m == "drift_pkg" or m.startswith("drift_pkg.")]:
                del sys.modules[name]
