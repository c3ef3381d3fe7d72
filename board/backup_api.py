"""The facilitator's view of the server's own backups: the last one, where they go, when."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from board.console import facilitator_of
from board.services import Services


async def backup_status(request: Request) -> Response:
    await facilitator_of(request, request.path_params["workshop_id"])
    services: Services = request.app.state.services
    return JSONResponse(services.backups.status())


routes = [Route("/api/workshops/{workshop_id}/backups", backup_status, methods=["GET"])]
