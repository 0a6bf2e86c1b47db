"""Need categories (/admin/taxonomy): system admins keep them; any admin adds everyday words."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from directory.listings import need_words, taxonomy_admin
from directory.listings.schemas import TermForm
from hub.accounts.guards import requires_org_admin, requires_system_admin
from hub.errors import Invalid
from hub.web.forms import form_values, read_form
from hub.web.responses import form_error_page, page, see_other

AnyRequest = Request[Any, Any, Any]


class TaxonomyController(Controller):
    """List, add and change need categories."""

    path = "/admin/taxonomy"
    guards = [requires_org_admin]

    @get("/", name="taxonomy.list")
    async def list_terms(self, request: AnyRequest) -> Template:
        """Every need category, with how many services use it and its everyday words."""
        return page(
            "directory/taxonomy_list.html",
            terms=await taxonomy_admin.list_terms(),
            saved=request.query_params.get("saved", ""),
        )

    @get("/{term_id:uuid}/words", name="taxonomy.words")
    async def words_form(self, term_id: FromPath[UUID]) -> Template:
        """The form to add everyday words to a need category."""
        term = await taxonomy_admin.get_term(term_id)
        return page("directory/taxonomy_words.html", term=term, values={})

    @post("/{term_id:uuid}/words", name="taxonomy.add_words")
    async def add_words(self, request: AnyRequest, term_id: FromPath[UUID]) -> Response[Any]:
        """Add the words (any organisation admin)."""
        form = await read_form(request, TermForm)
        try:
            await need_words.add_words(request.user, term_id, form.words or "")
        except Invalid as exc:
            term = await taxonomy_admin.get_term(term_id)
            return form_error_page(
                "directory/taxonomy_words.html", exc, term=term, values={"words": form.words}
            )
        return see_other("/admin/taxonomy?saved=words")

    @get("/new", name="taxonomy.new", guards=[requires_system_admin])
    async def new_term(self) -> Template:
        """The add form."""
        return page("directory/taxonomy_form.html", term=None, values={})

    @post("/new", name="taxonomy.create", guards=[requires_system_admin])
    async def create_term(self, request: AnyRequest) -> Response[Any]:
        """Add the need category."""
        form = await read_form(request, TermForm)
        try:
            await taxonomy_admin.add_term(request.user, form)
        except Invalid as exc:
            return form_error_page(
                "directory/taxonomy_form.html", exc, term=None, values=form_values(form)
            )
        return see_other("/admin/taxonomy?saved=added")

    @get("/{term_id:uuid}", name="taxonomy.edit", guards=[requires_system_admin])
    async def edit_term(self, term_id: FromPath[UUID]) -> Template:
        """The change form."""
        term = await taxonomy_admin.get_term(term_id)
        values = {**form_values(term), "words": term.synonyms}
        return page("directory/taxonomy_form.html", term=term, values=values)

    @post("/{term_id:uuid}", name="taxonomy.update", guards=[requires_system_admin])
    async def update_term(self, request: AnyRequest, term_id: FromPath[UUID]) -> Response[Any]:
        """Save the name, description and everyday words."""
        form = await read_form(request, TermForm)
        try:
            await taxonomy_admin.update_term(request.user, term_id, form)
        except Invalid as exc:
            term = await taxonomy_admin.get_term(term_id)
            return form_error_page(
                "directory/taxonomy_form.html", exc, term=term, values=form_values(form)
            )
        return see_other("/admin/taxonomy?saved=changed")
