from ninja import NinjaAPI

from jishi.api.auth import token_or_session
from jishi.api.errors import declare_error_responses, install_error_handlers

api = NinjaAPI(
    title="Jishi API",
    version="1.0.0",
    description=(
        "The Jishi marketplace API. Authenticate with a personal access token "
        "(`POST /api/v1/auth/tokens`, then `Authorization: Bearer <token>`) or a browser session. "
        'Every error has the body `{"error": {"code": "...", "message": "...", "fields": {"name": ["..."]}}}`.'
    ),
    auth=token_or_session,
    urls_namespace="api",
)
install_error_handlers(api)

from jishi.api import routers  # noqa: E402  (routers register themselves on `api`)

routers.register(api)
declare_error_responses(api)
