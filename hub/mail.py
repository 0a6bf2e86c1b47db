"""E-mail over SMTP, sent by the outbox worker so a crash never loses or doubles a message."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import msgspec

from hub import outbox
from hub.settings import Settings, get_settings

EMAIL_JOB = "email"
MAIL_OFF = (
    "E-mail is off: SMTP_HOST is not set, so nothing is e-mailed "
    "(notifications still show under Notifications). Set SMTP_HOST to send e-mail."
)
log = logging.getLogger(__name__)


def announce(settings: Settings) -> None:
    """Say once, at start-up, when e-mail is off (instead of a failure for every message)."""
    if not settings.mail_enabled:
        log.warning(MAIL_OFF)


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    """One small text attachment (a calendar invite), carried in the job's payload."""

    filename: str
    content_type: str  # "text/calendar; method=PUBLISH"
    text: str


async def queue_email(
    to: str, subject: str, body: str, *, attachment: Attachment | None = None
) -> None:
    """Queue one plain-text e-mail (optionally with one text attachment); call inside the
    transaction that causes it."""
    if not get_settings().mail_enabled:
        return
    payload = email_payload(to, subject, body)
    if attachment is not None:
        payload["attachment"] = msgspec.to_builtins(attachment)
    await outbox.enqueue(EMAIL_JOB, payload)


def email_payload(to: str, subject: str, body: str) -> dict[str, Any]:
    """The job payload for one plain-text e-mail, with its own Message-ID."""
    domain = get_settings().mail_from.rsplit("@", 1)[-1].rstrip(">") or "wraparound.invalid"
    return {"to": to, "subject": subject, "body": body, "message_id": make_msgid(domain=domain)}


async def queue_emails(messages: list[tuple[str, str, str]]) -> None:
    """Queue several plain-text e-mails (to, subject, body) in one write."""
    if not get_settings().mail_enabled:
        return
    payloads = [email_payload(*message) for message in messages]
    await outbox.enqueue_many(EMAIL_JOB, payloads, at_commit=True)


def _attach(message: EmailMessage, attachment: dict[str, str]) -> None:
    kind, *options = (part.strip() for part in attachment["content_type"].split(";"))
    maintype, subtype = kind.split("/", 1)
    params = dict(option.split("=", 1) for option in options if "=" in option)
    message.add_attachment(
        attachment["text"].encode(),
        maintype=maintype,
        subtype=subtype,
        filename=attachment["filename"],
        params=params,
    )


def build_message(payload: dict[str, Any], settings: Settings) -> EmailMessage:
    """The message a job payload describes."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Message-ID"] = payload["message_id"]
    message.set_content(payload["body"])
    if payload.get("attachment"):
        _attach(message, payload["attachment"])
    return message


def _deliver(message: EmailMessage, settings: Settings) -> None:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_tls == "ssl":
        smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=30, context=context)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    with smtp:
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


async def send_email_job(payload: dict[str, Any]) -> None:
    """Outbox handler: deliver one queued e-mail (dropped quietly if e-mail was turned off
    after it was queued: start-up said so once)."""
    settings = get_settings()
    if not settings.mail_enabled:
        return
    await asyncio.to_thread(_deliver, build_message(payload, settings), settings)
