"""Every domain router mounted under /api/v1/."""


def register(api) -> None:
    from jishi.api import accounts, cart, catalog, disputes, ledger, money, operator, orders, payments, search, stores

    api.add_router("/auth", accounts.auth_router)
    api.add_router("/me", accounts.me_router)
    api.add_router("/stores", stores.router)
    api.add_router("", catalog.router)
    api.add_router("", search.router)
    api.add_router("", money.router)
    api.add_router("/cart", cart.router)
    api.add_router("", orders.router)
    # /stores/{slug}/orders…: beside the /stores router, as the catalogue's /stores/{slug}/products are.
    api.add_router("", orders.store_router)
    api.add_router("", disputes.router)
    api.add_router("", disputes.store_router)
    api.add_router("", payments.router)
    api.add_router("", payments.webhook_router)
    api.add_router("", ledger.router)
    from jishi.api import shipping

    api.add_router("", shipping.router)
    from jishi.api import tax

    api.add_router("", tax.router)
    api.add_router("", operator.router)
