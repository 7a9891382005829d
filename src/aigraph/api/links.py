"""``/links``: candidate matches, their review and the recorded links (thin routes over
:mod:`aigraph.linking.links`). Reviewing writes to the store, so it needs the write token
(``AIGRAPH_WRITE_TOKEN``, sent as ``Authorization: Bearer ...``); without one, writes are off."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from ..config import get_settings
from ..linking import links as core
from ..sparql.policy import authorize
from .openapi import problems

router = APIRouter(prefix="/links", tags=["links"])


class Review(BaseModel):
    left: str
    right: str
    by: str


def _authorise(request: Request) -> None:
    """Reviewing writes to the store: the same bearer-token rule as every other write."""
    settings = getattr(request.app.state, "settings", None) or get_settings()
    authorize(settings, request.headers.get("authorization"))


@router.get("")
def list_links(request: Request) -> list[dict]:
    return [link.as_dict() for link in core.list_links(request.app.state.store)]


@router.get("/candidates", responses=problems(400))
def candidates(
    request: Request,
    left: str = "curated/",
    right: str = "cordis cordis-h2020 ror",
    threshold: float = 0.75,
    limit: int = 100,
) -> list[dict]:
    found = core.find_candidates(
        request.app.state.store, left=left.split(), right=right.split(), threshold=threshold,
        limit=limit,
    )  # fmt: skip
    return [m.__dict__ for m in found]


def _review(request: Request, body: Review, accept: bool) -> dict:
    _authorise(request)
    result = core.review(request.app.state.store, body.left, body.right, by=body.by,
                         accept=accept)  # fmt: skip
    return {"accepted" if accept else "rejected": [body.left, body.right],
            "quads": result.after}  # fmt: skip


REVIEW_ERRORS = problems(400, 401, 403, 404, 422, 507)


@router.post("/accept", responses=REVIEW_ERRORS)
def accept(request: Request, body: Review) -> dict:
    return _review(request, body, True)


@router.post("/reject", responses=REVIEW_ERRORS)
def reject(request: Request, body: Review) -> dict:
    return _review(request, body, False)
