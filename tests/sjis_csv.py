"""A CRM export as Excel in Japan saves it: Shift_JIS (CP932), CRLF, two bad rows (lines 4 and 6)."""

from __future__ import annotations

CRM_ROWS = [
    "customer_id,name,phone,plan,monthly_fee,usage_rate,tenure_months,status,churned_at,担当",
    "S001,髙橋①商店,03-5678-9012,プレミアム,9800,0.92,36,active,,営業２課",
    "S002,㈱ソフト開発,090-1111-2222,ライト,1980,0.1,5,churned,2026/10/01,営業１課",
    "S003,負の料金,03-1111-2222,ライト,-5,0.5,3,active,,営業１課",
    "S004,渡辺様,06-1234-5678,スタンダード,4980,0.4,12,active,,営業３課",
    "S005,番号不明,12345,ライト,100,0.5,3,active,,営業１課",
]
CRM_GOOD = ("S001", "S002", "S004")
CRM_BAD_LINES = (4, 6)


def crm_sjis() -> bytes:
    return ("\r\n".join(CRM_ROWS) + "\r\n").encode("cp932")
