"""A bounded schemathesis pass over the service's own OpenAPI description.

Every operation gets schema-valid (positive) and schema-violating (negative) requests
generated from ``/openapi.json``, sent with and without the write token to the full app over
the curated data. Each answer must be documented: no 500, a status code and a media type the
description lists for the operation, a body that matches the listed schema. The pass is
deterministic (``derandomize``) and bounded (``AIGRAPH_FUZZ_EXAMPLES`` examples per operation,
mode and token; default 3, a few hundred requests in all); set it higher for a deeper run.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.specs.openapi import checks  # noqa: E402

from aigraph.api import create_app  # noqa: E402
from aigraph.config import Settings  # noqa: E402
from aigraph.store import Store  # noqa: E402

TOKEN = "fuzz-token"
EXAMPLES = int(os.environ.get("AIGRAPH_FUZZ_EXAMPLES", "3"))
CHECKS = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema():
    store = Store()
    store.init()
    app = create_app(Settings(workers=0, write_token=TOKEN), store)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.heavy.close()
    app.state.sparql.close()


def fuzz(operation, mode, headers, failures: list[str], sent: Counter) -> None:
    """Send ``EXAMPLES`` generated requests for one operation, mode and token."""
    where = f"{operation.label} ({mode.value}, token={headers is not None})"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case):
        response = case.call(headers=headers)
        sent[response.status_code] += 1
        if response.status_code == 500:
            failures.append(f"{where}: 500\n{case.as_curl_command(headers)}")
            return
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as err:  # noqa: BLE001 - schemathesis' failure group
            failures.append(f"{where}: {str(err)[:1500]}")

    with contextlib.suppress(Unsatisfiable):  # nothing to vary (no parameter to make invalid)
        send()


def test_every_answer_is_documented(api_schema):
    failures: list[str] = []
    sent: Counter[int] = Counter()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for token in (None, f"Bearer {TOKEN}"):
                headers = {"Authorization": token} if token else None
                fuzz(operation, mode, headers, failures, sent)
    assert sum(sent.values()) >= 100, sent
    assert not failures, "\n\n".join(failures[:20]) + f"\n\n({len(failures)} in all)"
