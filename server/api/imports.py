"""``POST /api/v1/imports/{sales|customers|staff}``: upload a CSV or JSON file, all or nothing.

The body is the file itself (``Content-Type: text/csv`` or ``application/json``) or a
multipart form field ``file``. The answer is a per-row report; a file with any rejected row
is answered 422 with every rejected row in ``details`` and nothing is written.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from footfall.server.auth import Connection, CurrentPrincipal, scope
from footfall.server.imports.apply import Importer, run_import
from footfall.server.imports.reading import FileFormat

router = APIRouter(prefix="/api/v1", tags=["imports"])


@router.post(
    "/imports/{kind}",
    summary="Import POS sales, CRM customers or staff hours (CSV or JSON); 422 with row reasons if any row is bad",
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
            "required": True,
        }
    },
)
async def import_file(
    kind: Literal["sales", "customers", "staff"],
    request: Request,
    principal: CurrentPrincipal,
    conn: Connection,
    dry_run: bool = False,
    filename: str | None = None,
) -> dict[str, Any]:
    scope.require(principal, "import_data")
    content, name, fmt = await _read_body(request, filename)
    importer = Importer(principal.org_id, scope.store_ids(principal), principal.user_id)
    report = await run_in_threadpool(
        run_import, conn, kind, content, importer, filename=name, fmt=fmt, dry_run=dry_run
    )
    return report.as_dict()


async def _read_body(request: Request, filename: str | None) -> tuple[bytes, str | None, FileFormat | None]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            from footfall.server.errors import InvalidInput

            raise InvalidInput(
                "send the file in a form field named 'file'",
                details=[{"field": "file", "message": "required"}],
            )
        return await upload.read(), upload.filename or filename, None
    fmt: FileFormat | None = {"application/json": "json", "text/csv": "csv"}.get(content_type)  # type: ignore[assignment]
    return await request.body(), filename, fmt
