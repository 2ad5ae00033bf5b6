"""Page routes. Each area keeps its own ``urlpatterns`` in its views module."""

from jishi.web.views import (
    accounts,
    cart,
    checkout,
    orders,
    payments,
    preferences,
    refunds,
    search,
    seller_catalog,
    seller_money,
    seller_orders,
    seller_shipping,
    seller_stores,
    shipping,
    storefront,
)

app_name = "web"

urlpatterns = [
    *storefront.urlpatterns,
    *search.urlpatterns,
    *accounts.urlpatterns,
    *preferences.urlpatterns,
    *seller_stores.urlpatterns,
    *seller_catalog.urlpatterns,
    *seller_shipping.urlpatterns,
    *shipping.urlpatterns,
    *cart.urlpatterns,
    *checkout.urlpatterns,
    *orders.urlpatterns,
    *payments.urlpatterns,
    *seller_orders.urlpatterns,
    *refunds.urlpatterns,
    *seller_money.urlpatterns,
]
