"""CRM import: good rows load, bad rows are reported by line, re-import updates, calls get linked."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tests.sjis_csv import CRM_BAD_LINES, CRM_GOOD, crm_sjis
from voc.bench.crm_data import BAD_EVERY, HEADER, bad_rows, crm_rows
from voc.calls.linking import relink_unmatched
from voc.csvfiles import decode_csv
from voc.customers.phones import split_phones
from voc.customers.records import import_csv, to_public
from voc.db.calls import Call
from voc.db.customers import Customer, CustomerPhone

CSV = """customer_id,name,phone,plan,monthly_fee,usage_rate,tenure_months,status,churned_at,region
C001,山田太郎,03-5678-9012;090-1111-2222,プレミアム,9800,0.92,36,active,,関東
C002,佐藤花子,＋８１ ８０ ３３３３ ４４４４,ライト,1980,0.1,5,churned,2026-10-01,関西
C003,悪い行,03-1111-2222,ライト,-5,0.5,3,active,,
C004,悪い状態,03-1111-3333,ライト,100,0.5,3,unknown,,
C005,電話不明,12345,ライト,100,0.5,3,active,,
"""


def test_import_reports_bad_rows_and_loads_good_ones(engine: Engine) -> None:
    with Session(engine) as session:
        report = import_csv(session, CSV)
        session.commit()
    assert (report.created, report.updated) == (2, 0)
    assert [line for line, _ in report.errors] == [4, 5, 6]
    assert "monthly_fee" in report.errors[0][1]
    assert "status" in report.errors[1][1]
    assert "12345" in report.errors[2][1]
    with Session(engine) as session:
        c1 = session.exec(select(Customer).where(Customer.customer_id == "C001")).one()
        public = to_public(session, c1)
        assert sorted(public.phones) == ["+81356789012", "+819011112222"]
        assert public.attributes == {"region": "関東"}
        assert public.monthly_fee == 9800
        c2 = session.exec(select(Customer).where(Customer.customer_id == "C002")).one()
        assert c2.status == "churned" and c2.churned_at is not None
        assert c2.churned_at.isoformat() == "2026-09-30T15:00:00+00:00"  # JST midnight


def test_reimport_updates_instead_of_duplicating(engine: Engine) -> None:
    with Session(engine) as session:
        import_csv(session, CSV)
        session.commit()
        report = import_csv(session, CSV.replace("0.92", "0.95"))
        session.commit()
        assert (report.created, report.updated) == (0, 2)
        assert len(session.exec(select(Customer)).all()) == 2
        c1 = session.exec(select(Customer).where(Customer.customer_id == "C001")).one()
        assert c1.usage_rate == 0.95


def test_a_file_without_customer_id_is_rejected_whole(engine: Engine) -> None:
    with Session(engine) as session:
        report = import_csv(session, "name,phone\n山田,03-1111-2222\n")
    assert report.loaded == 0 and report.errors[0][0] == 1


def test_calls_that_arrived_first_are_linked_by_phone_later(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Call(audio_sha256="c" * 64, caller_number="+819011112222"))
        session.commit()
        import_csv(session, CSV)
        linked = relink_unmatched(session)
        session.commit()
        assert len(linked) == 1
        call = session.exec(select(Call)).one()
        c1 = session.exec(select(Customer).where(Customer.customer_id == "C001")).one()
        assert call.customer_pk == c1.id


def test_a_shift_jis_export_loads_its_good_rows_and_names_both_bad_lines(engine: Engine) -> None:
    with Session(engine) as session:
        report = import_csv(session, decode_csv(crm_sjis()))
        session.commit()
        names = dict(session.exec(select(Customer.customer_id, Customer.name)).all())
    assert sorted(names) == list(CRM_GOOD)
    assert names["S001"] == "髙橋①商店"
    assert [line for line, _ in report.errors] == list(CRM_BAD_LINES)
    assert "monthly_fee" in report.errors[0][1] and "12345" in report.errors[1][1]


def test_a_customer_twice_in_one_file_ends_as_its_last_row_says(engine: Engine) -> None:
    text = (
        "customer_id,name,phone,plan,segment,owner\n"
        "D1,古い名前,03-1111-1111,ライト,SMB,\n"
        "D1,新しい名前,090-2222-2222,,,営業1課\n"
    )
    with Session(engine) as session:
        report = import_csv(session, text)
        session.commit()
        assert (report.created, report.updated, report.errors) == (1, 1, [])
        public = to_public(session, session.exec(select(Customer)).one())
    assert public.name == "新しい名前" and public.plan is None  # the last row, its empty cell too
    assert public.phones == ["+819022222222"]
    assert public.attributes == {"segment": "SMB", "owner": "営業1課"}  # merged, as a re-import merges


def test_an_update_replaces_the_columns_and_phones_and_merges_attributes(engine: Engine) -> None:
    with Session(engine) as session:
        import_csv(session, CSV)
        session.commit()
        c1 = session.exec(select(Customer).where(Customer.customer_id == "C001")).one()
        created_at = c1.created_at
        assert c1.plan == "プレミアム"  # loaded in this session before the update
        report = import_csv(session, "customer_id,phone,plan,owner\nC001,06-1234-5678,ライト,佐藤\n")
        assert (report.created, report.updated) == (0, 1)
        assert c1.plan == "ライト" and c1.monthly_fee is None  # the loaded object sees the update
        session.commit()
        public = to_public(session, c1)
    assert public.phones == ["+81612345678"]
    assert public.attributes == {"region": "関東", "owner": "佐藤"}
    assert public.created_at == created_at and public.updated_at > created_at


def test_two_thousand_generated_rows_load_then_update(engine: Engine) -> None:
    rows = 2000
    first = decode_csv(
        ("\r\n".join([",".join(HEADER), *map(",".join, crm_rows(rows))]) + "\r\n").encode("cp932")
    )
    again = "\n".join([",".join(HEADER), *map(",".join, crm_rows(rows, revision=1))])
    with Session(engine) as session:
        report = import_csv(session, first)
        session.commit()
        assert (report.created, report.updated, len(report.errors)) == (
            rows - bad_rows(rows),
            0,
            bad_rows(rows),
        )
        assert report.errors[0][0] == BAD_EVERY + 1  # row 999 of the data is on line 1000 + header
        report = import_csv(session, again)
        session.commit()
        assert (report.created, report.updated) == (0, rows - bad_rows(rows))
        assert session.exec(select(func.count()).select_from(Customer)).one() == rows - bad_rows(rows)
        good = [row for row in crm_rows(rows, revision=1) if not row[4].startswith("-")]
        phones = sum(len(split_phones(row[2])) for row in good)
        assert session.exec(select(func.count()).select_from(CustomerPhone)).one() == phones
        last = session.exec(select(Customer).where(Customer.customer_id == good[-1][0])).one()
        assert (last.plan, last.attributes) == (good[-1][3], {"担当": good[-1][9]})
