"""The sample calls (examples/): their reference scripts as perfect transcripts, against crm.csv.

The scripts are binding for the detectors (scripts/make_examples.py): C001 and C002 are the true
cost-performance gaps; C003 (low usage, price), C004 (network, 「料金は高くはないんですが」), C005 (praise)
and C006 (moving abroad) are decoys.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from voc.calls.linking import find_customer_pk
from voc.calls.metadata import make_meta
from voc.customers.phones import normalise_phone
from voc.customers.records import import_csv
from voc.db.calls import Call, Segment
from voc.db.customers import Customer
from voc.db.signals import CustomerFlag
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.signals.analyze import analyze_call
from voc.signals.flags import recompute_all
from voc.signals.params import SignalParams
from voc.signals.rules import SignalLexicon

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = ("crm.csv", "calls.csv", "transcripts.json")

pytestmark = pytest.mark.skipif(
    not all((EXAMPLES / name).is_file() for name in FILES), reason="examples/ not generated"
)


def load_examples(session: Session, tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    report = import_csv(session, (EXAMPLES / "crm.csv").read_text(encoding="utf-8"))
    assert not report.errors
    scripts = json.loads((EXAMPLES / "transcripts.json").read_text(encoding="utf-8"))
    with (EXAMPLES / "calls.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        meta = make_meta(
            call_id=row["call_id"],
            agent=row["agent"],
            started_at=row["started_at"],
            channels=row["channels"],
            customer_id=row["customer_id"],
            caller_number=row["caller_number"],
            default_layout="stereo_operator_left",
        )
        caller = normalise_phone(meta.caller_number) if meta.caller_number else None
        call = Call(
            external_id=meta.external_id,
            started_at=meta.started_at,
            channel_layout=meta.channel_layout,
            caller_number=caller,
            audio_sha256=hashlib.sha256(row["file"].encode()).hexdigest(),
            customer_pk=find_customer_pk(session, meta.customer_id, caller),
        )
        session.add(call)
        session.flush()
        assert call.id is not None
        for idx, turn in enumerate(scripts[row["file"]]["turns"]):
            session.add(
                Segment(
                    call_id=call.id,
                    idx=idx,
                    speaker=turn["speaker"],
                    start=turn["start"],
                    end=turn["end"],
                    text=turn["text"],
                )
            )
        session.flush()
        analyze_call(session, call.id, tok, lexicon=lexicon)


def test_examples_flag_exactly_the_intended_customers(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    params = SignalParams()  # the defaults a new site runs with: high usage = above the 75th percentile
    with Session(engine) as session:
        load_examples(session, tok, lexicon)
        recompute_all(session, params)
        session.commit()
        flags: dict[str, set[str]] = {}
        for flag, customer in session.exec(
            select(CustomerFlag, Customer).join(Customer).where(CustomerFlag.active == True)  # noqa: E712
        ).all():
            flags.setdefault(customer.customer_id, set()).add(flag.flag)
    assert {c for c, f in flags.items() if "cost_performance_gap" in f} == {"C001", "C002"}
    assert flags == {
        "C001": {"cost_performance_gap"},
        "C002": {"cost_performance_gap", "churn_risk"},
        "C004": {"dissatisfied"},
        "C006": {"churn_risk"},
        "C007": {"underuse"},
        "C008": {"dissatisfied"},
    }
