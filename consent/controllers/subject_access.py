"""Subject access packs: the client's own in the portal, or a worker's for the client."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get
from litestar.params import FromPath
from litestar.response import Template

from consent.controllers.common import AnyRequest
from consent.subject_access import SubjectAccessPack, make_pack
from hub.accounts.guards import requires_client, requires_staff
from hub.web.responses import page

ZIP = "application/zip"


def _download(pack: SubjectAccessPack) -> Response[bytes]:
    return Response(
        content=pack.as_zip(),
        media_type=ZIP,
        headers={
            "Content-Disposition": 'attachment; filename="subject-access.zip"',
            "Cache-Control": "no-store",
        },
    )


class PortalDataController(Controller):
    """The client's own pack."""

    path = "/portal/my-data"
    guards = [requires_client]

    @get("/", name="portal.my_data")
    async def summary(self, request: AnyRequest) -> Template:
        """What is held, with a download button."""
        return page(
            "consent/subject_access.html",
            pack=await make_pack(request.user, request.user.id),
            intro="Everything the services in this network hold about you, as a page to read "
            "or print and as a data file, in one download.",
            show_redactions=False,
            download_href="/portal/my-data/pack.zip",
            back_href="/",  # the client portal's home is the front door
        )

    @get("/pack.zip", name="portal.my_data_zip")
    async def download(self, request: AnyRequest) -> Response[bytes]:
        """The zip."""
        return _download(await make_pack(request.user, request.user.id))


class ClientDataController(Controller):
    """A worker's pack for a client who asked (where they look after the client's account)."""

    path = "/clients/{client_id:uuid}/subject-access"
    guards = [requires_staff]

    @get("/", name="clients.subject_access")
    async def summary(self, request: AnyRequest, client_id: FromPath[UUID]) -> Template:
        """What is held, what to redact, and the download."""
        return page(
            "consent/subject_access.html",
            pack=await make_pack(request.user, client_id),
            intro="Everything held about this person, for their subject access request. "
            "Check the names listed below before you hand it over.",
            show_redactions=True,
            download_href=f"/clients/{client_id}/subject-access/pack.zip",
            back_href=f"/clients/{client_id}",
        )

    @get("/pack.zip", name="clients.subject_access_zip")
    async def download(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[bytes]:
        """The zip."""
        return _download(await make_pack(request.user, client_id))
