"""A generated CRM export for ``voc bench crm-import``: what Excel in Japan saves (CP932, CRLF), with the
columns a CRM has, CP932-only characters (髙, ①, ㈱), numbers written every way, a column voc does not
know (kept as an attribute), and a bad row in every thousand (reported, not loaded)."""

from __future__ import annotations

import random
from pathlib import Path

from voc.customers.records import CSV_COLUMNS

HEADER = (*CSV_COLUMNS, "担当")
SURNAMES = ("髙橋", "佐藤", "鈴木", "田中", "渡辺", "伊藤", "山本", "中村", "小林", "加藤", "吉田", "山田")
SUFFIXES = ("商店", "①号店", "㈱", "工業", "様", "食品", "不動産", "歯科")
PLANS = (("ライト", 1980), ("スタンダード", 4980), ("プレミアム", 9800))
OWNERS = ("営業１課", "営業２課", "営業３課", "カスタマーサクセス")
BAD_EVERY = 1000  # one row in this many has a negative fee


def phone_for(i: int) -> str:
    """Customer ``i``'s number, unique per customer, in one of the ways a CRM holds it."""
    local = f"{i // 10_000 % 10_000:04d}-{i % 10_000:04d}"
    match i % 4:
        case 0:
            return f"03-{local}"
        case 1:
            return f"090-{local}"
        case 2:
            return f"０８０－{local}".translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
        case _:
            return f"(06){local};070-{local}"


def crm_rows(n: int, *, revision: int = 0, seed: int = 18) -> list[tuple[str, ...]]:
    """``n`` data rows; ``revision`` 1 changes every customer's plan, fee, usage and owner (all updates)."""
    rng = random.Random(seed * 1000 + revision)
    rows: list[tuple[str, ...]] = []
    for i in range(n):
        plan, fee = PLANS[(i + revision) % len(PLANS)]
        churned = i % 17 == 0
        bad = i % BAD_EVERY == BAD_EVERY - 1
        rows.append(
            (
                f"K{i:06d}",
                f"{SURNAMES[i % len(SURNAMES)]}{SUFFIXES[i // len(SURNAMES) % len(SUFFIXES)]}",
                phone_for(i),
                plan,
                "-5" if bad else str(fee),
                f"{rng.random():.3f}",
                str(rng.randrange(0, 120)),
                "churned" if churned else "active",
                f"2026/{1 + i % 12:02d}/{1 + i % 28:02d}" if churned else "",
                OWNERS[(i + revision) % len(OWNERS)],
            )
        )
    return rows


def bad_rows(n: int) -> int:
    return n // BAD_EVERY


def write_crm_csv(path: Path, n: int, *, revision: int = 0) -> Path:
    """The export as a file: CP932, CRLF, as Excel writes it."""
    lines = [",".join(HEADER), *(",".join(row) for row in crm_rows(n, revision=revision))]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    return path
