# mypy: disable-error-code="import-untyped, no-untyped-call"
"""E-commerce: django-oscar (about 90 tables from its own migrations), filled with orders.

Hard cases: 王伟 (1) wrote a product review other people voted on, keeps a shared wish list and
changed their email (the old one is on an e-mail the shop sent); 王伟 (3) shares the display
name; person 12 never registered: a guest order (``guest_email``, a shipping address) and a
stock alert by email are all there is; person 9 works for the partner (warehouse) everyone buys
from; notifications go between customers (sender and recipient).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.acceptance.apps import django_site
from tests.acceptance.people import Person, people, person
from tests.acceptance.truth import Application, Label, Subject

PEOPLE = 14
GHOST, REVIEWER, STAFF = 12, 1, 9
CHANGED_EMAIL = frozenset({1})
VOTERS = (2, 3, 4)
BOOKS = ["红楼梦", "The Little Prince", "三体", "Don Quixote", "论语", "Le Petit Nicolas"]


def _m(app: str, model: str) -> Any:
    from oscar.core.loading import get_model

    return get_model(app, model)


def _phone(p: Person) -> str:
    """The phone number as Oscar stores it (E.164)."""
    return p.phone.replace(" ", "")


def _address(model: Any, p: Person, country: Any, **extra: object) -> Any:
    return model.objects.create(
        first_name=p.first,
        last_name=p.last,
        line1=p.street,
        line4="上海" if p.chinese else "London",
        postcode="200000" if p.chinese else "N1 9GU",
        country=country,
        **extra,
    )


def _catalogue() -> tuple[list[Any], Any]:
    kind = _m("catalogue", "ProductClass").objects.create(name="Book", requires_shipping=True)
    partner = _m("partner", "Partner").objects.create(name="Warehouse", code="warehouse")
    products = []
    for n, title in enumerate(BOOKS):
        product = _m("catalogue", "Product").objects.create(
            title=title, product_class=kind, upc=f"97800000{n:05d}", structure="standalone"
        )
        _m("partner", "StockRecord").objects.create(
            product=product,
            partner=partner,
            partner_sku=f"SKU{n}",
            price=Decimal("9.90"),
            num_in_stock=100,
        )
        products.append(product)
    return products, partner


def _order(number: int, p: Person, user: Any, product: Any, countries: dict[str, Any]) -> Any:
    country, phone = countries["CN" if p.chinese else "GB"], _phone(p)
    stock = product.stockrecords.first()
    order = _m("order", "Order").objects.create(
        number=str(100000 + number),
        user=user,
        guest_email="" if user else p.email,
        currency="EUR",
        total_incl_tax=Decimal("14.90"),
        total_excl_tax=Decimal("12.42"),
        shipping_incl_tax=Decimal("5.00"),
        shipping_excl_tax=Decimal("4.17"),
        shipping_address=_address(_m("order", "ShippingAddress"), p, country, phone_number=phone),
        billing_address=_address(_m("order", "BillingAddress"), p, country),
        status="Pending",
        date_placed=django_site.at(number),
    )
    _m("order", "Line").objects.create(
        order=order,
        partner=stock.partner,
        partner_name="Warehouse",
        partner_sku=stock.partner_sku,
        stockrecord=stock,
        product=product,
        title=product.title,
        upc=product.upc,
        num_allocated=0,
        quantity=1,
        line_price_incl_tax=Decimal("9.90"),
        line_price_excl_tax=Decimal("8.25"),
        line_price_before_discounts_incl_tax=Decimal("9.90"),
        line_price_before_discounts_excl_tax=Decimal("8.25"),
    )
    return order


def _fill() -> None:
    from django.contrib.auth.models import User

    countries = {
        code: _m("address", "Country").objects.create(
            iso_3166_1_a2=code,
            iso_3166_1_a3=a3,
            iso_3166_1_numeric=num,
            name=name,
            printable_name=name,
        )
        for code, a3, num, name in [("CN", "CHN", "156", "China"), ("GB", "GBR", "826", "UK")]
    }
    products, partner = _catalogue()
    admin = User.objects.create_superuser("admin", "admin@shop.example.org", "admin-password")
    users: dict[int, Any] = {}
    for p in people(PEOPLE):
        if p.n == GHOST:
            continue
        email = p.old_email if p.n in CHANGED_EMAIL else p.email
        user = User.objects.create_user(
            p.username, email, f"pw-{p.n}", first_name=p.first, last_name=p.last
        )
        users[p.n] = user
        country = countries["CN" if p.chinese else "GB"]
        _address(_m("address", "UserAddress"), p, country, user=user, phone_number=_phone(p))
        order = _order(p.n, p, user, products[p.n % len(products)], countries)
        _m("order", "OrderNote").objects.create(order=order, user=admin, message="Gift wrapped.")
        _m("communication", "Email").objects.create(
            user=user,
            email=email,
            subject=f"Order {order.number} confirmed",
            body_text=f"Dear {p.display}, your order {order.number} ships to {p.street}.",
        )
        if p.n in CHANGED_EMAIL:
            user.email = p.email
            user.save()
        basket = _m("basket", "Basket").objects.create(owner=user, status="Open")
        product = products[(p.n + 1) % len(products)]
        _m("basket", "Line").objects.create(
            basket=basket,
            line_reference=f"{product.pk}_{p.n}",
            product=product,
            stockrecord=product.stockrecords.first(),
            quantity=1,
            price_currency="EUR",
            price_excl_tax=Decimal("8.25"),
            price_incl_tax=Decimal("9.90"),
        )
        _m("analytics", "UserRecord").objects.create(user=user, num_orders=1)
        _m("analytics", "UserProductView").objects.create(user=user, product=product)
        _m("analytics", "UserSearch").objects.create(user=user, query=BOOKS[p.n % len(BOOKS)])
    partner.users.add(users[STAFF])
    _social(users, products)
    ghost = person(GHOST)
    _order(GHOST, ghost, None, products[0], countries)
    _m("customer", "ProductAlert").objects.create(
        product=products[2], email=ghost.email, key="alert-key-ghost", status="Active"
    )


def _social(users: dict[int, Any], products: list[Any]) -> None:
    """A review others voted on, a shared wish list, notifications between customers."""
    reviewer = person(REVIEWER)
    review = _m("reviews", "ProductReview").objects.create(
        product=products[0],
        score=5,
        title="值得一读",
        body=f"{reviewer.display}推荐。",
        user=users[REVIEWER],
        status=1,
    )
    for n in VOTERS:
        _m("reviews", "Vote").objects.create(review=review, user=users[n], delta=1)
    wishlist = _m("wishlists", "WishList").objects.create(
        owner=users[REVIEWER], name="生日愿望", key="wish01", visibility="Shared"
    )
    _m("wishlists", "Line").objects.create(wishlist=wishlist, product=products[2], title=BOOKS[2])
    note = _m("communication", "Notification")
    note.objects.create(
        recipient=users[1], sender=users[2], subject="Thanks for the tip!", body="The book arrived."
    )
    note.objects.create(recipient=users[3], sender=users[1], subject="书已寄出", body="请查收。")


def _by_user(table: str, column: str = "user_id") -> str:
    return f"SELECT t.id, u.username AS owner FROM {table} t JOIN auth_user u ON u.id = t.{column}"


def _via(table: str, column: str, parent: str) -> str:
    """Rows owned through their parent's label (one level up)."""
    return f"SELECT t.id, p.owner FROM {table} t JOIN ({LABELS_SQL[parent]}) p ON p.id = t.{column}"


_GUESTS = " UNION ".join(
    f"SELECT t.id, '{p.username}' AS owner FROM order_order t WHERE t.guest_email = '{p.email}'"
    for p in people(PEOPLE)
)
LABELS_SQL: dict[str, str] = {
    "auth_user": "SELECT id, username AS owner FROM auth_user",
    "order_order": _by_user("order_order") + " UNION " + _GUESTS,
}
LABELS_SQL |= {
    "order_shippingaddress": "SELECT a.id, o.owner FROM order_shippingaddress a JOIN"
    f" ({_by_user('order_order')} UNION {_GUESTS}) o ON a.id ="
    " (SELECT shipping_address_id FROM order_order WHERE id = o.id)",
    "order_billingaddress": "SELECT a.id, o.owner FROM order_billingaddress a JOIN"
    f" ({_by_user('order_order')} UNION {_GUESTS}) o ON a.id ="
    " (SELECT billing_address_id FROM order_order WHERE id = o.id)",
    "order_line": _via("order_line", "order_id", "order_order"),
    "basket_basket": _by_user("basket_basket", "owner_id"),
    "wishlists_wishlist": _by_user("wishlists_wishlist", "owner_id"),
}
#: Tables of an order's own rows (empty here but part of the order when present).
ORDER_CHILDREN = (
    "order_communicationevent",
    "order_lineprice",
    "order_orderdiscount",
    "order_orderstatuschange",
    "order_paymentevent",
    "order_shippingevent",
    "order_surcharge",
    "payment_source",
)
LABELS: dict[str, Label] = {
    **LABELS_SQL,
    "basket_line": _via("basket_line", "basket_id", "basket_basket"),
    "wishlists_line": _via("wishlists_line", "wishlist_id", "wishlists_wishlist"),
    # the staff member's who wrote it: a note someone else wrote on my order is never mine
    # (it names nothing of the customer's)
    "order_ordernote": _by_user("order_ordernote"),
    "address_useraddress": _by_user("address_useraddress"),
    "auth_user_groups": _by_user("auth_user_groups"),
    "auth_user_user_permissions": _by_user("auth_user_user_permissions"),
    "django_admin_log": _by_user("django_admin_log"),
    "reviews_productreview": _by_user("reviews_productreview"),
    "reviews_vote": _by_user("reviews_vote"),  # the voter's, not the reviewer's
    "customer_productalert": _by_user("customer_productalert")
    + " UNION "
    + " UNION ".join(
        f"SELECT id, '{p.username}' FROM customer_productalert WHERE email = '{p.email}'"
        for p in people(PEOPLE)
    ),
    "communication_email": _by_user("communication_email"),
    "communication_notification": _by_user("communication_notification", "recipient_id")
    + " UNION "
    + _by_user("communication_notification", "sender_id"),
    **{table: _via(table, "order_id", "order_order") for table in ORDER_CHILDREN},
    "analytics_userrecord": _by_user("analytics_userrecord"),
    "analytics_userproductview": _by_user("analytics_userproductview"),
    "analytics_usersearch": _by_user("analytics_usersearch"),
    "partner_partner_users": _by_user("partner_partner_users"),
}


def subjects() -> tuple[Subject, ...]:
    one, two, three, ghost = person(REVIEWER), person(2), person(3), person(GHOST)
    phone = _phone
    return (
        Subject(
            one.username,
            (("email", one.email),),
            (one.username, one.email, one.old_email, phone(one), one.street),
            "review others voted on, shared wish list, changed email; shares a display name",
        ),
        Subject(
            three.username,
            (("email", three.email),),
            (three.username, three.email, phone(three), three.street),
            "same display name as 1; voted on 1's review; notified by 1",
        ),
        Subject(
            two.username,
            (("email", two.email),),
            (two.username, two.email, phone(two), two.street, two.display),
            "voted on 1's review; sent 1 a notification",
        ),
        Subject(
            ghost.username,
            (("email", ghost.email),),
            (ghost.email, phone(ghost), ghost.street, ghost.display),
            "never registered: a guest order and a stock alert by email",
        ),
    )


SHARED = frozenset(
    {
        "address_country",
        "offer_range_excluded_categories",
        "shipping_orderanditemcharges",
        "shipping_orderanditemcharges_countries",
        "shipping_weightbased_countries",
        "analytics_productrecord",
        "auth_group",
        "auth_group_permissions",
        "auth_permission",
        "basket_basket_vouchers",
        "basket_lineattribute",
        "catalogue_attributeoption",
        "catalogue_attributeoptiongroup",
        "catalogue_category",
        "catalogue_option",
        "catalogue_product",
        "catalogue_product_product_options",
        "catalogue_productattribute",
        "catalogue_productattributevalue",
        "catalogue_productattributevalue_value_multi_option",
        "catalogue_productcategory",
        "catalogue_productclass",
        "catalogue_productclass_options",
        "catalogue_productimage",
        "catalogue_productrecommendation",
        "communication_communicationeventtype",
        "django_content_type",
        "django_flatpage",
        "django_flatpage_sites",
        "django_migrations",
        "django_session",
        "django_site",
        "offer_benefit",
        "offer_condition",
        "offer_conditionaloffer",
        "offer_conditionaloffer_combinations",
        "offer_range",
        "offer_range_classes",
        "offer_range_excluded_products",
        "offer_range_included_categories",
        "offer_rangeproduct",
        "offer_rangeproductfileupload",
        "order_communicationevent",
        "order_lineattribute",
        "order_orderlinediscount",
        "order_paymenteventquantity",
        "order_paymenteventtype",
        "order_shippingeventquantity",
        "order_shippingeventtype",
        "partner_partner",
        "partner_partneraddress",
        "partner_stockalert",
        "partner_stockrecord",
        "payment_bankcard",
        "payment_source",
        "payment_sourcetype",
        "payment_transaction",
        "shipping_orderanddistancebased",
        "shipping_weightband",
        "shipping_weightbased",
        "voucher_voucher",
        "voucher_voucher_offers",
        "voucher_voucherapplication",
        "voucher_voucherset",
        "wishlists_wishlistsharedemail",
    }
)

APPLICATION = Application(
    name="shop",
    origin="django-oscar 4.2 (PyPI) on Django 5.2: its own migrations, about 90 tables",
    backends=("sqlite", "postgres"),
    sources=django_site.sources(__file__, "shop_settings.py"),
    packages=("django", "django-oscar"),
    build=lambda url: django_site.build(__name__, url),
    labels=LABELS,
    shared=SHARED,
    subjects=subjects(),
)

if __name__ == "__main__":
    django_site.migrate()
    _fill()
