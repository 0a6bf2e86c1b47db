"""Pages for managing organisations (system admins) and staff (org admins)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from hub.accounts import staff
from hub.accounts.guards import requires_org_admin, requires_system_admin
from hub.accounts.schemas import OrganisationCreate, OrganisationUpdate, StaffCreate, StaffUpdate
from hub.errors import Invalid
from hub.web.forms import form_values, read_form
from hub.web.responses import client_address, form_error_page, page, see_other

AnyRequest = Request[Any, Any, Any]


class OrganisationController(Controller):
    """System admins list, add and edit organisations."""

    path = "/admin/organisations"
    guards = [requires_system_admin]

    @get("/", name="admin.organisations")
    async def list_organisations(self) -> Template:
        """Every organisation."""
        return page("hub/organisations.html", organisations=await staff.list_organisations())

    @get("/new", name="admin.organisation_new")
    async def new_organisation(self) -> Template:
        """The add-organisation form."""
        return page("hub/organisation_form.html", values={"kind": "partner"}, organisation=None)

    @post("/new", name="admin.organisation_create")
    async def create_organisation(self, request: AnyRequest) -> Response[Any]:
        """Add the organisation."""
        form = await read_form(request, OrganisationCreate)
        try:
            await staff.create_organisation(request.user, form)
        except Invalid as exc:
            return form_error_page(
                "hub/organisation_form.html", exc, values=form_values(form), organisation=None
            )
        return see_other("/admin/organisations")

    @get("/{organisation_id:uuid}", name="admin.organisation")
    async def edit_organisation(
        self, request: AnyRequest, organisation_id: FromPath[UUID]
    ) -> Template:
        """The edit form, with the staff to choose a data-protection lead from."""
        organisation = await staff.get_organisation(organisation_id)
        return page(
            "hub/organisation_form.html",
            organisation=organisation,
            members=await staff.list_staff(request.user, organisation_id),
            values={
                "name": organisation.name,
                "kind": organisation.kind,
                "data_protection_lead_id": str(organisation.data_protection_lead_id or ""),
            },
        )

    @post("/{organisation_id:uuid}", name="admin.organisation_update")
    async def update_organisation(
        self, request: AnyRequest, organisation_id: FromPath[UUID]
    ) -> Response[Any]:
        """Save the organisation."""
        form = await read_form(request, OrganisationUpdate)
        try:
            await staff.update_organisation(request.user, organisation_id, form)
        except Invalid as exc:
            return form_error_page(
                "hub/organisation_form.html",
                exc,
                values=form_values(form),
                organisation=await staff.get_organisation(organisation_id),
                members=await staff.list_staff(request.user, organisation_id),
            )
        return see_other("/admin/organisations")


class StaffController(Controller):
    """Org admins manage their own organisation's staff; system admins anyone's."""

    guards = [requires_org_admin]

    @get("/staff", name="staff.own")
    async def own_staff(self, request: AnyRequest) -> Redirect:
        """Go to the signed-in admin's own organisation's staff."""
        return Redirect(path=f"/organisations/{request.user.organisation_id}/staff")

    @get("/organisations/{organisation_id:uuid}/staff", name="staff.list")
    async def list_staff(self, request: AnyRequest, organisation_id: FromPath[UUID]) -> Template:
        """An organisation's staff."""
        members = await staff.list_staff(request.user, organisation_id)
        return page(
            "hub/staff_list.html",
            organisation=await staff.get_organisation(organisation_id),
            members=members,
        )

    @get("/organisations/{organisation_id:uuid}/staff/new", name="staff.new")
    async def new_staff(self, request: AnyRequest, organisation_id: FromPath[UUID]) -> Template:
        """The add-staff form."""
        await staff.list_staff(request.user, organisation_id)  # NotFound unless allowed
        return page(
            "hub/staff_new.html",
            organisation=await staff.get_organisation(organisation_id),
            values={},
        )

    @post("/organisations/{organisation_id:uuid}/staff/new", name="staff.create")
    async def create_staff(
        self, request: AnyRequest, organisation_id: FromPath[UUID]
    ) -> Response[Any]:
        """Add the staff member."""
        form = await read_form(request, StaffCreate)
        try:
            await staff.create_staff(request.user, organisation_id, form, client_address(request))
        except Invalid as exc:
            values = form_values(form) | {"password": "", "password_confirm": ""}
            return form_error_page(
                "hub/staff_new.html",
                exc,
                organisation=await staff.get_organisation(organisation_id),
                values=values,
            )
        return see_other(f"/organisations/{organisation_id}/staff")

    @get("/staff/{staff_id:uuid}", name="staff.edit")
    async def edit_staff(self, request: AnyRequest, staff_id: FromPath[UUID]) -> Template:
        """The edit form for one staff member."""
        member = await staff.get_changeable_staff(request.user, staff_id)
        return page("hub/staff_edit.html", member=member, values=form_values(member))

    @post("/staff/{staff_id:uuid}", name="staff.update")
    async def update_staff(self, request: AnyRequest, staff_id: FromPath[UUID]) -> Response[Any]:
        """Save name, role and active flag."""
        form = await read_form(request, StaffUpdate)
        try:
            member = await staff.update_staff(request.user, staff_id, form, client_address(request))
        except Invalid as exc:
            member = await staff.get_changeable_staff(request.user, staff_id)
            return form_error_page(
                "hub/staff_edit.html", exc, member=member, values=form_values(form)
            )
        return see_other(f"/organisations/{member.organisation_id}/staff")
