"""Pages for signing in and out, the client portal's sign-in, and one's own password."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from hub.accounts import clients, devices, signin
from hub.accounts.guards import requires_signed_in
from hub.accounts.schemas import (
    ClientSignIn,
    PasswordChange,
    PortalActivation,
    Principal,
    StaffSignIn,
)
from hub.errors import Invalid, TooManyRequests
from hub.web.forms import read_form
from hub.web.responses import (
    clear_session_cookie,
    client_address,
    form_error_page,
    page,
    see_other,
    session_cookie,
)

AnyRequest = Request[Any, Any, Any]


def _throttled(template: str, exc: TooManyRequests, **context: Any) -> Template:
    response = page(
        template,
        status_code=429,
        errors={"password": str(exc)},
        error_message=str(exc),
        **context,
    )
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _signed_in(request: AnyRequest, token: str, account: str, target: str = "/") -> Redirect:
    response = see_other(target)
    response.cookies.append(session_cookie(token))
    response.cookies.append(devices.remembered(request.cookies.get(devices.COOKIE, ""), account))
    return response


def _known(request: AnyRequest, account: str) -> bool:
    return devices.knows(request.cookies.get(devices.COOKIE, ""), account)


class SignInController(Controller):
    """Staff and client sign-in, sign-out and portal activation."""

    @get("/sign-in", name="accounts.sign_in")
    async def sign_in_page(self, request: AnyRequest) -> Template | Redirect:
        """The staff sign-in form."""
        if request.user is not None:
            return Redirect(path="/")
        return page("hub/sign_in.html", values={})

    @post("/sign-in", name="accounts.sign_in_submit")
    async def sign_in(self, request: AnyRequest) -> Response[Any]:
        """Check the e-mail and password; start a new session."""
        form = await read_form(request, StaffSignIn)
        values = {"email": form.email}
        account = signin.staff_account(form.email)
        try:
            token = await signin.sign_in_staff(
                form.email,
                form.password,
                client_address(request),
                request.auth or "",
                known_device=_known(request, account),
            )
        except TooManyRequests as exc:
            return _throttled("hub/sign_in.html", exc, values=values)
        except Invalid as exc:
            return form_error_page("hub/sign_in.html", exc, values=values)
        return _signed_in(request, token, account)

    @post("/sign-out", name="accounts.sign_out", guards=[requires_signed_in])
    async def sign_out(self, request: AnyRequest) -> Response[Any]:
        """End the session and forget the cookie."""
        principal: Principal = request.user
        await signin.sign_out(principal, request.auth or "")
        target = "/portal/sign-in" if principal.is_client else "/sign-in"
        return clear_session_cookie(see_other(target))

    @get("/portal/sign-in", name="portal.sign_in")
    async def portal_sign_in_page(self, request: AnyRequest) -> Template | Redirect:
        """The client portal's sign-in form."""
        if request.user is not None:
            return Redirect(path="/")
        return page("hub/portal_sign_in.html", values={})

    @post("/portal/sign-in", name="portal.sign_in_submit")
    async def portal_sign_in(self, request: AnyRequest) -> Response[Any]:
        """Check the username and password; start a new session."""
        form = await read_form(request, ClientSignIn)
        values = {"username": form.username}
        account = signin.client_account(form.username)
        try:
            token = await signin.sign_in_client(
                form.username,
                form.password,
                client_address(request),
                request.auth or "",
                known_device=_known(request, account),
            )
        except TooManyRequests as exc:
            return _throttled("hub/portal_sign_in.html", exc, values=values)
        except Invalid as exc:
            return form_error_page("hub/portal_sign_in.html", exc, values=values)
        return _signed_in(request, token, account)

    @get("/portal/activate", name="portal.activate")
    async def activate_page(self) -> Template:
        """The form that turns an invitation code into a portal account."""
        return page("hub/portal_activate.html", values={})

    @post("/portal/activate", name="portal.activate_submit")
    async def activate(self, request: AnyRequest) -> Response[Any]:
        """Make the portal account and sign the client in."""
        form = await read_form(request, PortalActivation)
        values = {"code": form.code, "username": form.username}
        address = client_address(request)
        try:
            await clients.activate_portal_account(form, address)
            token = await signin.sign_in_client(
                form.username, form.password, address, known_device=True
            )
        except TooManyRequests as exc:
            return _throttled("hub/portal_activate.html", exc, values=values)
        except Invalid as exc:
            return form_error_page("hub/portal_activate.html", exc, values=values)
        return _signed_in(request, token, signin.client_account(form.username))


class PasswordController(Controller):
    """Changing one's own password."""

    path = "/account/password"
    guards = [requires_signed_in]

    @get("/", name="accounts.password")
    async def password_page(self) -> Template:
        """The change-password form."""
        return page("hub/password.html", values={})

    @post("/", name="accounts.password_submit")
    async def change_password(self, request: AnyRequest) -> Response[Any]:
        """Change the password, end every session, and carry on in a new one."""
        form = await read_form(request, PasswordChange)
        try:
            token = await signin.change_password(request.user, form, client_address(request))
        except Invalid as exc:
            return form_error_page("hub/password.html", exc, values={})
        response = see_other("/?changed=password")
        response.cookies.append(session_cookie(token))
        return response
