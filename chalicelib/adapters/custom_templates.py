"""A business's own message texts: checked when saved, rendered in jinja2's sandbox.

A text stands on its own (no layouts, includes or imports), may use only the variables its
message type offers, and cannot reach Python internals: the sandbox refuses attributes that
start with an underscore and unsafe calls, and has no globals (no `range`, no `cycler`).
HTML bodies are autoescaped, so whatever a customer typed into their name is shown, never
run. A text that fails at send time (it should not: it was checked) is replaced by Standby's
own, so the customer is still told.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.adapters.observability import logger
from chalicelib.adapters.templates import PLAIN_SPACES, TemplateRenderer
from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.message_texts import MAX_TEXT_LENGTH, CustomTemplate, variables_for
from chalicelib.domain.messages import Channel, MessageType, OutboxMessage
from chalicelib.ports.runtime import RenderedMessage

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

HTML = "html"


class SandboxedTexts:
    """Checks and renders custom texts; jinja2 is imported on first use, as for Standby's
    own templates."""

    @cached_property
    def _text(self) -> SandboxedEnvironment:
        return self._environment(autoescape=False)

    @cached_property
    def _html(self) -> SandboxedEnvironment:
        return self._environment(autoescape=True)

    @staticmethod
    def _environment(*, autoescape: bool) -> SandboxedEnvironment:
        import jinja2
        from jinja2.sandbox import SandboxedEnvironment

        env = SandboxedEnvironment(
            autoescape=autoescape, undefined=jinja2.StrictUndefined, keep_trailing_newline=False
        )
        env.globals.clear()
        return env

    def check(
        self, message_type: MessageType, parts: Mapping[str, str], sample: Mapping[str, Any]
    ) -> None:
        """Refuse, naming the part and line, a text that does not parse, uses a variable
        its type does not offer, or does what the sandbox forbids; then render it once with
        the sample values, which catches what only running shows."""
        from jinja2 import TemplateSyntaxError, meta, nodes

        allowed = variables_for(message_type)
        for part, source in parts.items():
            if len(source) > MAX_TEXT_LENGTH:
                raise InvalidRequest(part, f"longer than {MAX_TEXT_LENGTH} characters")
            env = self._html if part == HTML else self._text
            try:
                tree = env.parse(source)
                compiled = env.from_string(source)
            except TemplateSyntaxError as error:
                raise InvalidRequest(part, f"line {error.lineno}: {error.message}") from error
            for statement in tree.find_all(
                (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)
            ):
                raise InvalidRequest(
                    part,
                    f"line {statement.lineno}: {type(statement).__name__.lower()} is not "
                    "allowed; a text stands on its own",
                )
            for reach in tree.find_all((nodes.Getattr, nodes.Getitem)):
                name = _reached_name(reach)
                if name is not None and name.startswith("_"):
                    raise InvalidRequest(
                        part,
                        f"line {reach.lineno}: {name!r} is not allowed "
                        "(internal attributes are out of the sandbox's reach)",
                    )
            unknown = sorted(meta.find_undeclared_variables(tree) - allowed)
            if unknown:
                raise InvalidRequest(
                    part,
                    f"unknown variable {unknown[0]!r}; a {message_type.value} message offers: "
                    + ", ".join(sorted(allowed)),
                )
            try:
                compiled.render(dict(sample))
            except Exception as error:  # a text can fail any way Python can ({{ 1/0 }})
                raise InvalidRequest(part, f"does not render: {error}") from error

    def render(self, template: CustomTemplate, values: Mapping[str, Any]) -> RenderedMessage:
        """Raises when the text cannot be rendered safely (jinja2's SecurityError) or at
        all."""
        if template.channel is Channel.SMS:
            text = self._text.from_string(template.text).render(dict(values))
            return RenderedMessage(
                subject=None, text=text.strip().translate(PLAIN_SPACES), html=None
            )
        subject = self._text.from_string(template.subject or "").render(dict(values))
        return RenderedMessage(
            subject=" ".join(subject.split()),
            text=self._text.from_string(template.text).render(dict(values)).strip(),
            html=self._html.from_string(template.html).render(dict(values)).strip()
            if template.html
            else None,
        )


def _reached_name(node: Any) -> str | None:
    from jinja2 import nodes

    if isinstance(node, nodes.Getattr):
        return str(node.attr)
    if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        return node.arg.value
    return None


class SavedTexts(Protocol):
    def get_template(
        self, business_id: str, message_type: MessageType, channel: Channel, language: str
    ) -> CustomTemplate | None: ...


class BusinessTextsRenderer:
    """Renders a message with the business's own text when the message names one (its
    version was stamped when the message was queued, from the business profile, at no
    cost); otherwise, or when the text has gone or fails, with Standby's own."""

    def __init__(
        self,
        standard: TemplateRenderer,
        texts: SavedTexts,
        sandbox: SandboxedTexts | None = None,
    ) -> None:
        self._standard = standard
        self._texts = texts
        self._sandbox = sandbox or SandboxedTexts()

    def render(self, message: OutboxMessage) -> RenderedMessage:
        if message.template_version is None:
            return self._standard.render(message)
        # One read, at send time, and only for messages whose business wrote its own text.
        template = self._texts.get_template(
            message.business_id, message.message_type, message.channel, message.language
        )
        if template is None:
            return self._standard.render(message)
        try:
            return self._sandbox.render(template, self._standard.values(message))
        except Exception as error:  # the sandbox's refusals, or any failure a text can cause
            logger.warning(
                "custom text refused at send; Standby's own text sent instead",
                extra={"message_id": message.message_id, "problem": str(error)},
            )
            return self._standard.render(message)
