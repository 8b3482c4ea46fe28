"""Small, correct exports of three sources, in their platforms' delivered formats.

Every value is valid, including the warning-level shares (placeholder unionids under 5%, phones
all mainland mobiles), so each suite passes on them completely; the tests then break one thing
at a time.
"""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.quirk_landing import WECHATPAY_HEADER
from tests.landing import LandingBuilder

MP_USERS = 40
PLACEHOLDER_UNIONID_USER = 7
PAYMENTS = 10
REFUNDED_PAYMENTS = (2, 5)
TENCENT_PAGES = 2
TENCENT_ROWS_PER_PAGE = 3


def mp_openid(number: int) -> str:
    return f"oMPClean{number:018d}"


def write_mp_users(landing: Path) -> None:
    lines = ["\ufeffopenid,unionid,phone,register_time,scene,scene_query"]
    for number in range(1, MP_USERS + 1):
        unionid = "undefined" if number == PLACEHOLDER_UNIONID_USER else f"oUnClean{number:019d}"
        phone = "" if number % 3 == 0 else f"139{number:08d}"
        registered = f"2026-10-{1 + number % 28:02d} {number % 24:02d}:15:00"
        scene, query = (1047, "utm_campaign=gdt_double11") if number % 2 else (1007, "")
        lines.append(f"{mp_openid(number)},{unionid},{phone},{registered},{scene},{query}")
    LandingBuilder(landing).add_lines("mp_users", "mp_users_2026-10.csv", lines)


def _bill_line(values: dict[str, str]) -> str:
    return ",".join("`" + values[name] for name in WECHATPAY_HEADER.split(","))


def _payment(number: int) -> dict[str, str]:
    values = dict.fromkeys(WECHATPAY_HEADER.split(","), "")
    amount = f"{99 + number * 10}.00"
    return values | {
        "交易时间": f"2026-11-{number:02d} 12:00:00",
        "公众账号ID": "wxCleanApp",
        "商户号": "1900000001",
        "微信订单号": f"42000000012026110{number:05d}",
        "商户订单号": f"MP2026110{number:04d}",
        "用户标识": mp_openid(number),
        "交易类型": "JSAPI",
        "交易状态": "SUCCESS",
        "付款银行": "CMB_DEBIT",
        "货币种类": "CNY",
        "应结订单金额": amount,
        "代金券金额": "0.00",
        "微信退款单号": "0",
        "商户退款单号": "0",
        "退款金额": "0.00",
        "充值券退款金额": "0.00",
        "商品名称": "保湿面霜",
        "手续费": "0.60",
        "费率": "0.60%",
        "订单金额": amount,
        "申请退款金额": "0.00",
    }


def _refund(number: int) -> dict[str, str]:
    return _payment(number) | {
        "交易时间": f"2026-11-{number + 3:02d} 09:00:00",
        "交易状态": "REFUND",
        "微信退款单号": f"503000000120261103{number:05d}",
        "商户退款单号": f"RF2026110{number:04d}",
        "退款金额": "50.00",
        "退款类型": "ORIGINAL",
        "退款状态": "SUCCESS",
        "申请退款金额": "50.00",
    }


def write_wechatpay_bills(landing: Path) -> None:
    rows = [_payment(number) for number in range(1, PAYMENTS + 1)]
    rows += [_refund(number) for number in REFUNDED_PAYMENTS]
    summary = [
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
        f"`{len(rows)},`1540.00,`100.00,`0.00,`6.00,`1540.00,`100.00",
    ]
    lines = [WECHATPAY_HEADER, *(_bill_line(row) for row in rows), *summary]
    LandingBuilder(landing).add_lines("wechatpay_bills", "bill_2026-11.csv", lines)


def write_ads_tencent(landing: Path) -> None:
    out = LandingBuilder(landing)
    for page in range(1, TENCENT_PAGES + 1):
        rows = [
            {
                "date": f"2026-11-0{page}",
                "account_id": 2000001,
                "campaign_id": 31000000 + row,
                "adgroup_id": 41000000 + row,
                "view_count": 10000 * row,
                "valid_click_count": 250 * row,
                "cost": 199999 * row,
                "conversions_count": 12 * row,
            }
            for row in range(1, TENCENT_ROWS_PER_PAGE + 1)
        ]
        page_info = {
            "page": page,
            "page_size": TENCENT_ROWS_PER_PAGE,
            "total_number": TENCENT_PAGES * TENCENT_ROWS_PER_PAGE,
            "total_page": TENCENT_PAGES,
        }
        response = {"code": 0, "message": "", "data": {"list": rows, "page_info": page_info}}
        out.add_json("ads_tencent", f"report_p{page}.json", response)


def write_clean_landing(landing: Path) -> None:
    write_mp_users(landing)
    write_wechatpay_bills(landing)
    write_ads_tencent(landing)
