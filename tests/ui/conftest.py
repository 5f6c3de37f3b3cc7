"""Browser tests of the web UI: the real app (``voc serve`` with an embedded worker) on 127.0.0.1, driven by
Debian's Chromium through Playwright. No browser is ever downloaded: ``make browsers`` installs Chromium.

One server and one data directory for the whole session, seeded through the library before it starts: a
customer with a churn signal (the at-risk list), a corpus with a topic model (the topics page) and 1,000 calls
of one agent (pagination). Screenshots of every page at 1280 and 390 px go to ``test-artifacts/ui/``.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, FloatRect, Page, Playwright, ViewportSize, sync_playwright
from sqlmodel import Session

from tests.conftest import REPO
from tests.corpus import store_corpus
from tests.topics.synthetic import generate_utterances
from voc.assembly import build_runtime
from voc.customers.records import upsert_customer
from voc.db.calls import Call, CallStatus, Segment
from voc.db.customers import CustomerCreate, CustomerStatus
from voc.nlp.assets import DOMAIN_TERMS_PATH, POLARITY_PATH
from voc.nlp.toolkit import TextToolkit
from voc.security.keys import create_key
from voc.settings import Settings
from voc.signals.analyze import analyze_call
from voc.signals.flags import recompute_customer
from voc.signals.params import SignalParams
from voc.signals.rules import SignalLexicon
from voc.topics.service import TopicParams, refit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = REPO / "test-artifacts" / "ui"
USER_DIC = REPO / "models" / "nlp" / "user.dic"
MODEL_DIR = REPO / "models" / "whisper-base"
WIDE = ViewportSize(width=1280, height=900)
NARROW = ViewportSize(width=390, height=844)
MAX_SHOT_HEIGHT = 2400

SERVE = [sys.executable, "-c", "from voc.cli.main import main; main()", "serve"]
PAGING_AGENT = "ページ送り確認"
PAGED_CALLS = 1000
RISK_CUSTOMER = "C-RISK-1"
RISK_TEXT = "他社の方が安いので解約したいです。"


def pytest_configure(config: pytest.Config) -> None:
    # Also registered in pyproject.toml; here too so that tests/ui runs on its own with --strict-markers.
    config.addinivalue_line("markers", "browser: drives the web UI in Chromium (make browsers)")


@dataclass(frozen=True)
class Server:
    url: str
    keys: dict[str, str]
    settings: Settings
    seeded: dict[str, Any]

    def api(self, role: str = "admin") -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api/v1", headers={"Authorization": f"Bearer {self.keys[role]}"}, timeout=30
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _seed_at_risk(session: Session, toolkit: TextToolkit) -> int:
    """A valuable customer who said they want to leave, one day ago: first on the at-risk list."""
    customer, _ = upsert_customer(
        session,
        CustomerCreate(
            customer_id=RISK_CUSTOMER,
            name="山田商店",
            plan="プレミアム",
            monthly_fee=9800,
            usage_rate=0.4,
            tenure_months=30,
            status=CustomerStatus.ACTIVE,
        ),
    )
    session.flush()
    assert customer.id is not None
    call = Call(
        external_id="RISK-CALL-1",
        audio_sha256=hashlib.sha256(b"risk-call").hexdigest(),
        customer_pk=customer.id,
        started_at=datetime.now(UTC) - timedelta(days=1),
        agent="佐藤",
        status=CallStatus.DONE,
        duration_s=12.0,
    )
    session.add(call)
    session.flush()
    assert call.id is not None
    turns = [
        ("operator", "お電話ありがとうございます。"),
        ("customer", RISK_TEXT),
        ("operator", "承知しました。"),
    ]
    for idx, (speaker, text) in enumerate(turns):
        session.add(
            Segment(call_id=call.id, idx=idx, speaker=speaker, start=idx * 4.0, end=idx * 4.0 + 3, text=text)
        )
    session.flush()
    analyze_call(session, call.id, toolkit.tokenizer, lexicon=SignalLexicon.default())
    recompute_customer(session, customer.id, SignalParams())
    return call.id


def _seed_topics(session: Session, toolkit: TextToolkit) -> None:
    """Calls of known themes (one emerging), as in tests/topics, and a topic model fitted on them.

    The eight weeks end with the current one, where the other seeded calls fall too (the last period).
    """
    today = datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=today.weekday(), weeks=7)
    corpus = generate_utterances(per_theme_per_week=2, weeks=8, emerging_per_week=8, start=start, seed=0)
    store_corpus(session, toolkit, corpus, prefix="T")
    version = refit(session, TopicParams(min_calls_to_fit=8))
    assert version is not None, "the seeded corpus must be enough for a topic model"


def _seed_paged_calls(session: Session) -> None:
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    session.add_all(
        Call(
            audio_sha256=hashlib.sha256(f"paged-{i}".encode()).hexdigest(),
            external_id=f"P-{i:04d}",
            agent=PAGING_AGENT,
            status=CallStatus.DONE,
            started_at=start + timedelta(minutes=10 * i),
            duration_s=60.0 + i % 300,
        )
        for i in range(PAGED_CALLS)
    )


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voc serve exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"voc serve did not answer in 90 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("ui-server")
    env = {
        "VOC_DATA_DIR": str(root / "var"),
        "VOC_DATABASE_URL": f"sqlite:///{root / 'var' / 'voc.db'}",
        "VOC_ASR__MODEL_DIR": str(MODEL_DIR),
        "VOC_NLP__USER_DICTIONARY": str(USER_DIC),
        "VOC_NLP__DOMAIN_TERMS": str(DOMAIN_TERMS_PATH),
        "VOC_NLP__POLARITY": str(POLARITY_PATH),
        "VOC_WORKER__PROCESSES": "1",
        "VOC_WORKER__POLL_INTERVAL_S": "0.5",
        "VOC_LOG_LEVEL": "WARNING",
    }
    settings = Settings(
        _env_file=None,
        data_dir=root / "var",
        database_url=env["VOC_DATABASE_URL"],
        asr={"model_dir": MODEL_DIR},
        nlp={"user_dictionary": USER_DIC, "domain_terms": DOMAIN_TERMS_PATH, "polarity": POLARITY_PATH},
    )
    (root / "var").mkdir()
    rt = build_runtime(settings, migrate=True)
    toolkit = TextToolkit.load(DOMAIN_TERMS_PATH, POLARITY_PATH, USER_DIC)
    keys: dict[str, str] = {}
    with Session(rt.engine) as session:
        for role in ("admin", "supervisor", "analyst", "integration"):
            keys[role] = create_key(session, role, f"ui-{role}")[1]
        risk_call = _seed_at_risk(session, toolkit)
        _seed_topics(session, toolkit)
        _seed_paged_calls(session)
        session.commit()
    rt.close()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "server.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # A clean environment for the server: only ours, so that a developer's VOC_* settings do not leak in.
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("VOC_")} | env
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*SERVE, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            cwd=root,
            env=child_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url, proc, log)
        yield Server(url=url, keys=keys, settings=settings, seeded={"risk_call": risk_call})
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser_context(
    playwright: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowserContext]:
    """Chromium with a fresh profile; every test gets its own tab (sessionStorage is per tab)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browsers`")
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=WIDE,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[Page]:
    tab = browser_context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.set_viewport_size(WIDE)
    yield tab
    tab.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def login(page: Page, server: Server, role: str, path: str = "/ui/") -> None:
    """Open ``path``; the app asks for a key first and then goes there."""
    page.goto(f"{server.url}{path}")
    page.fill("#api-key", server.keys[role])
    page.click("form.login button[type=submit]")
    page.wait_for_selector("#logout")


def shoot(page: Page, name: str) -> None:
    """Screenshots at 1280 px and at 390 px (the whole page, up to MAX_SHOT_HEIGHT), then back to 1280."""
    for label, size in (("1280", WIDE), ("390", NARROW)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        height = min(int(page.evaluate("document.documentElement.scrollHeight")), MAX_SHOT_HEIGHT)
        clip = FloatRect(x=0, y=0, width=size["width"], height=height)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True, clip=clip)
    page.set_viewport_size(WIDE)
