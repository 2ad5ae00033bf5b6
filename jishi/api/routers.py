"""Every domain router mounted under /api/v1/."""


def register(api) -> None:
    from jishi.api import accounts, catalog, money, stores

    api.add_router("/auth", accounts.auth_router)
    api.add_router("/me", accounts.me_router)
    api.add_router("/stores", stores.router)
    api.add_router("", catalog.router)
    api.add_router("", money.router)
