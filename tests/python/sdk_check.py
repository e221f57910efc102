"""Drives order-ledger with the official Huawei Cloud SDK, unchanged.

Run by tests/tests/huawei_sdk.rs against a server it seeded. Only the
endpoint is ours: the client is built exactly as a Huawei customer builds
it. Every check prints one line; any mismatch exits non-zero.

Environment:
  LEDGER_ENDPOINT   http://127.0.0.1:<port>
  LEDGER_AK, LEDGER_SK, LEDGER_DOMAIN_ID   a customer key of that domain
  LEDGER_PAYER_AK, LEDGER_PAYER_SK         a service key (the payment service)
  LEDGER_ORDER_PAY      an unpaid order to pay (list 100.00, 85.00 due)
  LEDGER_ORDER_CANCEL   an unpaid order to cancel
  LEDGER_ORDER_EXACT    an unpaid order of three lines: 0.1, 0.2 and 0.3
  LEDGER_ORDER_OTHER    another customer's order
"""

import decimal
import os
import sys

from huaweicloudsdkbssintl.v2 import (
    BssintlClient,
    CancelCustomerOrderReq,
    CancelCustomerOrderRequest,
    ListCustomerOrdersRequest,
    ListOrderDiscountsRequest,
    PayCustomerOrderV3Req,
    PayOrdersRequest,
    ShowCustomerAccountBalancesRequest,
    ListSubCustomerCouponsRequest,
    CouponSimpleInfoOrderPayV3,
    ShowCustomerOrderDetailsRequest,
)
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.sdk_response import SdkResponse

FAILURES = []


def check(what, ok, detail=""):
    print(("ok:   " if ok else "FAIL: ") + what + ("" if ok else f" ({detail})"), flush=True)
    if not ok:
        FAILURES.append(what)


def expect_error(what, call, status, code):
    try:
        call()
    except exceptions.ClientRequestException as e:
        check(
            f"{what} -> {status} {code}",
            e.status_code == status and e.error_code == code and bool(e.request_id),
            f"got {e.status_code} {e.error_code} request_id={e.request_id!r}: {e.error_msg}",
        )
        return
    check(f"{what} -> {status} {code}", False, "no error")


class OldOrderDetailsResponse(SdkResponse):
    """The old v1.0 API's answer; the SDK has no model for it."""

    openapi_types = {
        "error_code": "str",
        "error_msg": "str",
        "order_info": "object",
        "count": "int",
        "orderline_items": "list[object]",
    }
    attribute_map = {
        "error_code": "error_code",
        "error_msg": "error_msg",
        "order_info": "orderInfo",
        "count": "count",
        "orderline_items": "orderlineItems",
    }

    def __init__(self, error_code=None, error_msg=None, order_info=None, count=None,
                 orderline_items=None):
        super().__init__()
        self.error_code = error_code
        self.error_msg = error_msg
        self.order_info = order_info
        self.count = count
        self.orderline_items = orderline_items


def old_details(client, domain_id, order_id, query):
    return client.do_http_request(
        method="GET",
        resource_path="/v1.0/{domain_id}/common/order-mgr/orders/{order_id}",
        path_params={"domain_id": domain_id, "order_id": order_id},
        query_params=query,
        header_params={"Content-Type": "application/json"},
        response_type=OldOrderDetailsResponse,
    )


def status_of(client, order_id):
    req = ShowCustomerOrderDetailsRequest(order_id=order_id)
    return client.show_customer_order_details(req).order_info.status


def main():
    env = os.environ
    domain_id = env["LEDGER_DOMAIN_ID"]
    to_pay = env["LEDGER_ORDER_PAY"]
    to_cancel = env["LEDGER_ORDER_CANCEL"]
    exact = env["LEDGER_ORDER_EXACT"]
    other = env["LEDGER_ORDER_OTHER"]
    client = (
        BssintlClient.new_builder()
        .with_credentials(GlobalCredentials(env["LEDGER_AK"], env["LEDGER_SK"], domain_id))
        .with_endpoints([env["LEDGER_ENDPOINT"]])
        .build()
    )

    # list_customer_orders
    listed = client.list_customer_orders(ListCustomerOrdersRequest())
    ids = [o.order_id for o in listed.order_infos]
    check("list: every order of the customer", listed.total_count == 3
          and sorted(ids) == sorted([to_pay, to_cancel, exact]), f"{listed.total_count} {ids}")
    first = listed.order_infos[0]
    check("list: integers are ints, amounts floats",
          isinstance(first.status, int) and isinstance(first.order_type, int)
          and isinstance(first.official_amount, float), repr(first))
    page = client.list_customer_orders(ListCustomerOrdersRequest(
        status=6, limit=1, offset=1, order_by="createTime"))
    check("list: status, limit, offset, order_by", page.total_count == 3
          and [o.order_id for o in page.order_infos] == [to_cancel], repr(page))
    none = client.list_customer_orders(ListCustomerOrdersRequest(
        create_time_begin="2000-01-01T00:00:00Z", create_time_end="2000-01-02T00:00:00Z"))
    check("list: a create-time window", none.total_count == 0, repr(none))
    expect_error("list: limit 0", lambda: client.list_customer_orders(
        ListCustomerOrdersRequest(limit=0)), 400, "CBC.0101")
    expect_error("list: a malformed time", lambda: client.list_customer_orders(
        ListCustomerOrdersRequest(create_time_begin="yesterday")), 400, "CBC.0100")

    # show_customer_order_details
    details = client.show_customer_order_details(
        ShowCustomerOrderDetailsRequest(order_id=exact, limit=2, offset=1))
    check("details: total_count and a page of line items", details.total_count == 3
          and len(details.order_line_items) == 2, repr(details))
    check("details: 0.1 + 0.2 + 0.3 is exactly 0.6",
          details.order_info.official_amount == 0.6
          and b'"official_amount":0.6,' in details.raw_content, details.raw_content)
    check("details: line amounts", [li.official_amount for li in details.order_line_items]
          == [0.2, 0.3], repr(details.order_line_items))
    check("details: pending payment", details.order_info.status == 6
          and details.order_info.pending_payment_end_time is not None, repr(details.order_info))
    expect_error("details: another customer's order", lambda: client.show_customer_order_details(
        ShowCustomerOrderDetailsRequest(order_id=other)), 403, "CBC.0151")
    expect_error("details: an unknown order", lambda: client.show_customer_order_details(
        ShowCustomerOrderDetailsRequest(order_id="CSNOSUCHORDER")), 404, "CBC.0101")

    # list_order_discounts
    discounts = client.list_order_discounts(ListOrderDiscountsRequest(order_id=to_pay))
    d = discounts.discounts[0] if discounts.discounts else None
    check("discounts: the order's recorded discount", d is not None
          and d.discount_id == f"{to_pay}.301" and d.discount_type == 0
          and d.orders[0].order_line_items[0].discount_amount == decimal.Decimal("10.00"),
          repr(discounts))

    # show_customer_account_balances and list_sub_customer_coupons: the
    # harness topped up 1000.00 USD and issued one 20.00 cash coupon (301).
    balances = client.show_customer_account_balances(ShowCustomerAccountBalancesRequest())
    b = balances.account_balances[0]
    check("balances: the top-up, an exact decimal", b.amount == decimal.Decimal("1000.00")
          and b.currency == "USD" and b.account_type == 1, repr(balances))
    coupons = client.list_sub_customer_coupons(ListSubCustomerCouponsRequest())
    c = coupons.user_coupons[0] if coupons.user_coupons else None
    check("coupons: the issued coupon, usable", coupons.count == 1 and c is not None
          and c.coupon_id == env["LEDGER_COUPON"] and c.status == 2 and c.coupon_type == 1
          and c.coupon_version == 1, repr(coupons))

    # pay_orders: the customer pays its own order with its coupon and balance.
    coupon = [CouponSimpleInfoOrderPayV3(id=env["LEDGER_COUPON"], type=301)]
    paid = client.pay_orders(PayOrdersRequest(body=PayCustomerOrderV3Req(
        order_id=to_pay, use_coupon="YES", use_discount="NO", coupon_infos=coupon)))
    check("pay: 204", paid.status_code == 204, repr(paid))
    check("pay: the order is completed", status_of(client, to_pay) == 5)
    after = client.show_customer_account_balances(ShowCustomerAccountBalancesRequest())
    check("pay: the balance paid what the coupon did not",
          after.account_balances[0].amount == decimal.Decimal("935.00"), repr(after))
    used = client.list_sub_customer_coupons(ListSubCustomerCouponsRequest(status=3))
    check("pay: the coupon is used", used.count == 1
          and used.user_coupons[0].order_id == to_pay, repr(used))
    expect_error("pay: a used coupon", lambda: client.pay_orders(PayOrdersRequest(
        body=PayCustomerOrderV3Req(order_id=to_cancel, use_coupon="YES", use_discount="NO",
                                   coupon_infos=coupon))),
        400, "CBC.99003112")
    check("pay: a refused payment leaves the order unpaid", status_of(client, to_cancel) == 6)
    payer = (
        BssintlClient.new_builder()
        .with_credentials(GlobalCredentials(
            os.environ["LEDGER_PAYER_AK"], os.environ["LEDGER_PAYER_SK"], domain_id))
        .with_endpoints([os.environ["LEDGER_ENDPOINT"]])
        .build()
    )
    again = payer.pay_orders(PayOrdersRequest(body=PayCustomerOrderV3Req(
        order_id=to_pay, use_coupon="YES", use_discount="NO", coupon_infos=coupon)))
    check("pay: a repeat is the same payment, no second debit", again.status_code == 204
          and client.show_customer_account_balances(ShowCustomerAccountBalancesRequest())
          .account_balances[0].amount == decimal.Decimal("935.00"), repr(again))
    expect_error("pay: another payment of a paid order", lambda: payer.pay_orders(
        PayOrdersRequest(body=PayCustomerOrderV3Req(
            order_id=to_pay, use_coupon="NO", use_discount="NO"))),
        400, "CBC.99003106")

    # cancel_customer_order
    cancelled = client.cancel_customer_order(CancelCustomerOrderRequest(
        body=CancelCustomerOrderReq(order_id=to_cancel)))
    check("cancel: 204", cancelled.status_code == 204, repr(cancelled))
    check("cancel: the order is cancelled", status_of(client, to_cancel) == 4)
    expect_error("cancel: a paid order", lambda: client.cancel_customer_order(
        CancelCustomerOrderRequest(body=CancelCustomerOrderReq(order_id=to_pay))),
        400, "CBC.99005010")

    # The old v1.0 details, through do_http_request.
    old = old_details(client, domain_id, exact, [("offset", 1), ("limit", 2)])
    check("v1.0: success code", old.error_code == "CBC.0000" and old.error_msg == "success",
          repr(old.error_code))
    check("v1.0: orderInfo on page 1", old.order_info is not None
          and old.order_info["orderId"] == exact
          and old.order_info["currencyOfficial"] == decimal.Decimal("0.6"), repr(old.order_info))
    check("v1.0: count and a page of items", old.count == 3 and len(old.orderline_items) == 2,
          repr(old.orderline_items))
    page2 = old_details(client, domain_id, exact, [("offset", 2), ("limit", 2)])
    check("v1.0: no orderInfo after page 1", page2.order_info is None
          and [i["orderLineItemId"] for i in page2.orderline_items] == [f"{exact}-000003"],
          repr(page2.orderline_items))
    expect_error("v1.0: offset 0", lambda: old_details(
        client, domain_id, exact, [("offset", 0)]), 400, "CBC.0101")

    if FAILURES:
        print(f"sdk check FAILED: {len(FAILURES)} check(s) failed", flush=True)
        return 1
    print("sdk check passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
