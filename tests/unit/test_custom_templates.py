"""A business's own texts: checked when saved, rendered in the sandbox, values escaped in
HTML; Standby's own templates use only what each type offers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from jinja2 import meta

from chalicelib.adapters.custom_templates import BusinessTextsRenderer, SandboxedTexts
from chalicelib.adapters.templates import TEMPLATES_DIR, TemplateRenderer
from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.message_texts import CustomTemplate, sample_context, variables_for
from chalicelib.domain.messages import Channel, MessageType, OutboxMessage

SANDBOX = SandboxedTexts()
STANDARD = TemplateRenderer()
TYPE = MessageType.BOOKING_CONFIRMED


def sample_message(
    message_type: MessageType = TYPE, channel: Channel = Channel.EMAIL, **context: str
) -> OutboxMessage:
    return OutboxMessage(
        business_id="salon",
        message_id=f"{message_type.value}:b1.v1.email",
        message_type=message_type,
        channel=channel,
        recipient="ada@example.com",
        language="en",
        time_zone="Europe/Oslo",
        context=sample_context(message_type) | context,
        created_at=datetime(2030, 2, 1, tzinfo=UTC),
        template_version=1,
    )


def check(**parts: str) -> None:
    SANDBOX.check(TYPE, parts, STANDARD.values(sample_message()))


def refusal(**parts: str) -> str:
    with pytest.raises(InvalidRequest) as refused:
        check(**parts)
    return str(refused.value)


def test_a_text_using_the_types_variables_is_accepted() -> None:
    check(
        subject="Booked: {{ service_name }} on {{ starts_at_date }}",
        text="Hi {{ customer_name }}, see you at {{ starts_at_time }}{% if staff %} with "
        "{{ staff }}{% endif %}.\n{{ manage_url }}",
    )


def test_a_syntax_error_is_refused_with_its_part_and_line() -> None:
    message = refusal(text="Hello\n{{ customer_name }\n")
    assert message.startswith("text: line 2:")


def test_an_unknown_variable_is_refused_naming_it_and_what_the_type_offers() -> None:
    message = refusal(text="Hello {{ customer_name }}, your code is {{ door_code }}")
    assert "unknown variable 'door_code'" in message
    assert "customer_name" in message and "manage_url" in message


def test_a_filter_that_does_not_exist_is_refused() -> None:
    assert refusal(text="{{ customer_name|shout }}").startswith("text: line 1:")


def test_a_text_that_fails_when_rendered_is_refused() -> None:
    assert refusal(text="{{ 1 / 0 }}").startswith("text: does not render:")
    assert refusal(text="{{ customer_name + 1 }}").startswith("text: does not render:")


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ customer_name.__class__.__base__.__subclasses__() }}",
        "{{ customer_name['__class__'] }}",
        "{{ customer_name|attr('__class__') }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ range(10) }}",
        "{% include '/etc/passwd' %}",
        "{% extends 'messages/en/_layout.email.txt.j2' %}",
    ],
)
def test_sandbox_escapes_are_refused_when_saved(escape: str) -> None:
    message = refusal(subject="Hi", text=f"Hello {escape}")
    assert message.startswith("text:")


def test_a_text_that_slipped_past_the_checks_is_refused_at_send_and_the_standard_one_goes() -> None:
    slipped = CustomTemplate(
        business_id="salon",
        message_type=TYPE,
        channel=Channel.EMAIL,
        language="en",
        version=1,
        subject="{{ ''.__class__.__mro__ }}",
        text="{{ customer_name.__class__.__init__.__globals__ }}",
    )
    renderer = BusinessTextsRenderer(STANDARD, FakeTexts(slipped))
    message = sample_message()

    rendered = renderer.render(message)

    assert rendered == STANDARD.render(message)
    assert "class" not in (rendered.subject or "") and "globals" not in rendered.text


def test_values_a_customer_typed_are_escaped_in_the_html_email_but_not_in_the_text() -> None:
    custom = CustomTemplate(
        business_id="salon",
        message_type=TYPE,
        channel=Channel.EMAIL,
        language="en",
        version=1,
        subject="Booked, {{ customer_name }}",
        text="Hi {{ customer_name }}",
        html="<p>Hi <b>{{ customer_name }}</b></p>",
    )
    renderer = BusinessTextsRenderer(STANDARD, FakeTexts(custom))

    rendered = renderer.render(sample_message(customer_name="<script>alert(1)</script>"))

    assert rendered.html == "<p>Hi <b>&lt;script&gt;alert(1)&lt;/script&gt;</b></p>"
    assert rendered.text == "Hi <script>alert(1)</script>"


def test_the_business_text_is_used_when_the_message_names_one_and_standard_otherwise() -> None:
    custom = CustomTemplate(
        business_id="salon",
        message_type=MessageType.SEAT_ASSIGNED,
        channel=Channel.SMS,
        language="en",
        version=2,
        text="Hei {{ customer_name }}! {{ starts_at_date }} {{ starts_at_time }}",
    )
    renderer = BusinessTextsRenderer(STANDARD, FakeTexts(custom))
    message = sample_message(MessageType.SEAT_ASSIGNED, Channel.SMS)

    assert renderer.render(message).text == "Hei Ada Lovelace! Friday, March 1, 2030 10:00 AM"
    without = replace(message, template_version=None)
    assert renderer.render(without) == STANDARD.render(without)


def test_a_message_whose_text_was_removed_meanwhile_gets_the_standard_text() -> None:
    renderer = BusinessTextsRenderer(STANDARD, FakeTexts(None))
    message = sample_message()
    assert renderer.render(message) == STANDARD.render(message)


@pytest.mark.parametrize("message_type", MessageType)
def test_standard_templates_use_only_the_variables_their_type_offers(
    message_type: MessageType,
) -> None:
    env = STANDARD._env
    allowed = variables_for(message_type)
    for path in sorted((TEMPLATES_DIR / "messages" / "en").glob(f"{message_type.value}.*.j2")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        assert meta.find_undeclared_variables(tree) <= allowed, path.name


class FakeTexts:
    def __init__(self, template: CustomTemplate | None) -> None:
        self._template = template

    def get_template(
        self, business_id: str, message_type: MessageType, channel: Channel, language: str
    ) -> CustomTemplate | None:
        return self._template
